-- SPDX-License-Identifier: MIT
-- The initial schema: accounts, sessions, groups, memberships, invites, and each group's
-- event log with the messages, reactions and full-text index built from it.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE,
  display_name  TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,            -- Argon2id, PHC string format
  is_admin      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);

-- A login. Only the SHA-256 of the token is kept: a copy of the database logs nobody in.
CREATE TABLE sessions (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE groups (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  topic      TEXT    NOT NULL DEFAULT '',
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL DEFAULT 0      -- seq of the group's newest event
);

CREATE TABLE memberships (
  group_id      INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at     INTEGER NOT NULL,
  last_read_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships(user_id, group_id);

-- Codes are kept in clear so owners can list and copy them; they grant only membership
-- and expire, and a revoked or used-up code is worthless.
CREATE TABLE invites (
  code       TEXT    PRIMARY KEY,
  group_id   INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  created_by INTEGER NOT NULL REFERENCES users(id),
  max_uses   INTEGER NOT NULL CHECK (max_uses BETWEEN 1 AND 1000),
  uses       INTEGER NOT NULL DEFAULT 0 CHECK (uses <= max_uses),
  expires_at INTEGER NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX invites_group ON invites(group_id);

-- Each group's ordered log. `data` is the event's JSON exactly as sent to clients.
CREATE TABLE events (
  group_id   INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  kind       TEXT    NOT NULL,
  actor_id   INTEGER,
  target_seq INTEGER,                        -- edits, deletes, reactions: the message's seq
  data       TEXT    NOT NULL,
  PRIMARY KEY (group_id, seq)
) WITHOUT ROWID;
CREATE INDEX events_target ON events(group_id, target_seq) WHERE target_seq IS NOT NULL;

-- Messages in their current state (edits applied); one row per `message` event.
-- The unique key on client_msg_id is what makes a retried send create nothing.
CREATE TABLE messages (
  id            INTEGER PRIMARY KEY,
  group_id      INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  sender_id     INTEGER NOT NULL REFERENCES users(id),
  client_msg_id TEXT    NOT NULL,
  body          TEXT,                        -- NULL once deleted
  reply_to      INTEGER,
  created_at    INTEGER NOT NULL,
  edited_at     INTEGER,
  deleted       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, seq),
  UNIQUE (group_id, sender_id, client_msg_id)
);

CREATE TABLE reactions (
  group_id    INTEGER NOT NULL,
  message_seq INTEGER NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  emoji       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (group_id, message_seq, user_id, emoji),
  FOREIGN KEY (group_id, message_seq) REFERENCES messages(group_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;

-- Full-text search over current message bodies, kept in step by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(
  body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.body IS NOT NULL BEGIN
  INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.body IS NOT NULL BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body)
    SELECT 'delete', old.id, old.body WHERE old.body IS NOT NULL;
  INSERT INTO messages_fts(rowid, body) SELECT new.id, new.body WHERE new.body IS NOT NULL;
END;
