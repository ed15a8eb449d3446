-- SPDX-License-Identifier: MIT
-- Live quiz (contract: "Community of practice", Live quiz; docs/community-quiz.md).
-- The server runs the clock: each running quiz stores when its open question closes
-- (deadline_ts) and when it last saw its host or a player act (active_at), so after a
-- restart the quizzes service loads them and closes the question at its deadline as if
-- nothing had happened.

-- state: draft (visible to its host only), question (a question is open until deadline_ts),
-- results (the last question closed at closed_at; waiting for the host's next), finished.
CREATE TABLE quizzes (
  id            INTEGER PRIMARY KEY,
  group_id      INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  host_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title         TEXT    NOT NULL,
  state         TEXT    NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'question', 'results', 'finished')),
  current_index INTEGER NOT NULL DEFAULT -1,   -- the open or last closed question; -1 before the first
  opened_at     INTEGER,                       -- when the current question went out
  deadline_ts   INTEGER,                       -- when the current question closes
  closed_at     INTEGER,                       -- when the current question closed
  active_at     INTEGER,                       -- the host's last move or a player's last answer
  created_at    INTEGER NOT NULL,
  started_at    INTEGER,
  finished_at   INTEGER
);
CREATE INDEX quizzes_group ON quizzes(group_id, id);
-- The running quizzes, for the clock to load at start.
CREATE INDEX quizzes_running ON quizzes(state) WHERE state IN ('question', 'results');

-- options and correct are JSON arrays (2–6 option texts; the indexes of the correct ones).
CREATE TABLE quiz_questions (
  quiz_id  INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
  idx      INTEGER NOT NULL,
  text     TEXT    NOT NULL,
  options  TEXT    NOT NULL,
  correct  TEXT    NOT NULL,
  seconds  INTEGER NOT NULL CHECK (seconds BETWEEN 5 AND 120),
  PRIMARY KEY (quiz_id, idx)
) WITHOUT ROWID;

-- One answer per player and question, final; its score is fixed when it arrives (speed
-- counts) but shown to no one before the question closes. Answers are not events.
CREATE TABLE quiz_answers (
  quiz_id     INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  choice      TEXT    NOT NULL,   -- JSON array of option indexes, sorted
  answered_at INTEGER NOT NULL,
  score       INTEGER NOT NULL,
  PRIMARY KEY (quiz_id, idx, user_id)
) WITHOUT ROWID;
