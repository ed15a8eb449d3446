-- SPDX-License-Identifier: MIT
-- Questions and answers, and the library of best practices (contract: "Community of
-- practice"; docs/community-questions-library.md).
--
-- A question is a message with a row here. Its answers are the replies to it (messages with
-- reply_to = its seq); how many there are and when the first came are read from messages
-- through messages_replies, so sending a message costs nothing more unless it is a question.
CREATE TABLE questions (
  group_id     INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,                 -- the question's message
  asker_id     INTEGER NOT NULL REFERENCES users(id),
  asked_at     INTEGER NOT NULL,                 -- the message's time (also when marked later)
  state        TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered')),
  accepted_seq INTEGER,                          -- the accepted answer while answered
  PRIMARY KEY (group_id, seq)
) WITHOUT ROWID;
CREATE INDEX questions_by_state ON questions(group_id, state, seq);
CREATE INDEX questions_by_time ON questions(group_id, asked_at);

-- Replies by their question (only replies are indexed: plain messages pay nothing).
CREATE INDEX messages_replies ON messages(group_id, reply_to, created_at) WHERE reply_to IS NOT NULL;

-- One saved message. `body` is the message's current text and `answer_body` the accepted
-- answer's (when the message is a question with one): both follow edits, and both become
-- NULL when their message is deleted, so a deleted message leaves no text in the library.
CREATE TABLE library_entries (
  id          INTEGER PRIMARY KEY,
  group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  target_seq  INTEGER NOT NULL,
  title       TEXT    NOT NULL,
  tags        TEXT    NOT NULL DEFAULT '[]',     -- a JSON array of normalised tags
  body        TEXT,
  answer_seq  INTEGER,
  answer_body TEXT,
  curated_by  INTEGER NOT NULL REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX library_by_group ON library_entries(group_id, id);
CREATE INDEX library_by_target ON library_entries(group_id, target_seq);
CREATE INDEX library_by_answer ON library_entries(group_id, answer_seq) WHERE answer_seq IS NOT NULL;

-- Deleting a question's message ends it as a question (it leaves the open count and lists);
-- deleting an accepted answer reopens its question (no event: the message_deleted event says
-- it) and takes the answer off library entries.
CREATE TRIGGER questions_message_deleted AFTER UPDATE OF deleted ON messages WHEN new.deleted = 1 BEGIN
  DELETE FROM questions WHERE group_id = new.group_id AND seq = new.seq;
  UPDATE questions SET state = 'open', accepted_seq = NULL
    WHERE group_id = new.group_id AND accepted_seq = new.seq;
  UPDATE library_entries SET answer_seq = NULL, answer_body = NULL
    WHERE group_id = new.group_id AND answer_seq = new.seq;
END;

-- A message's text changes (an edit) or goes (a deletion sets body to NULL): the library
-- follows. Fires only on edits and deletions, never on a send.
CREATE TRIGGER library_message_text AFTER UPDATE OF body ON messages BEGIN
  UPDATE library_entries SET body = new.body WHERE group_id = new.group_id AND target_seq = new.seq;
  UPDATE library_entries SET answer_body = new.body WHERE group_id = new.group_id AND answer_seq = new.seq;
END;

-- Full-text search over title, tags and both texts; kept in step by the triggers below.
CREATE VIRTUAL TABLE library_fts USING fts5(title, tags, body, answer, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER library_fts_insert AFTER INSERT ON library_entries BEGIN
  INSERT INTO library_fts(rowid, title, tags, body, answer)
    VALUES (new.id, new.title, new.tags, coalesce(new.body, ''), coalesce(new.answer_body, ''));
END;
CREATE TRIGGER library_fts_update AFTER UPDATE ON library_entries BEGIN
  DELETE FROM library_fts WHERE rowid = old.id;
  INSERT INTO library_fts(rowid, title, tags, body, answer)
    VALUES (new.id, new.title, new.tags, coalesce(new.body, ''), coalesce(new.answer_body, ''));
END;
CREATE TRIGGER library_fts_delete AFTER DELETE ON library_entries BEGIN
  DELETE FROM library_fts WHERE rowid = old.id;
END;
