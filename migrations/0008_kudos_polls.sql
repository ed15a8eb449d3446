-- SPDX-License-Identifier: MIT
-- Kudos and polls (contract "Community of practice"; docs/community.md "Kudos", "Polls").

-- A kudos: one member thanks another, optionally for one of the recipient's messages. `seq`
-- is the group's `kudos` event; the wall reads this table, not the log.
CREATE TABLE kudos (
  id           INTEGER PRIMARY KEY,
  group_id     INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  seq          INTEGER NOT NULL,
  from_user_id INTEGER NOT NULL REFERENCES users(id),
  user_id      INTEGER NOT NULL REFERENCES users(id),
  note         TEXT    NOT NULL,
  target_seq   INTEGER,                       -- the message it is for, when given
  created_at   INTEGER NOT NULL
);
CREATE INDEX kudos_group_time ON kudos(group_id, created_at);
CREATE INDEX kudos_group_user ON kudos(group_id, user_id, created_at);

-- A poll. `next_publish_at` is set while an anonymous poll has votes whose counts have not
-- been published yet (they go out together at that time: docs/community.md "Polls").
-- `voters` counts everyone who voted; `shown_voters` what the last published event said.
CREATE TABLE polls (
  id              INTEGER PRIMARY KEY,
  group_id        INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,           -- the `poll` event
  author_id       INTEGER NOT NULL REFERENCES users(id),
  question        TEXT    NOT NULL,
  multiple        INTEGER NOT NULL CHECK (multiple IN (0, 1)),
  anonymous       INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
  closes_at       INTEGER,                    -- NULL: closed only by a person
  created_at      INTEGER NOT NULL,
  closed_at       INTEGER,                    -- NULL: open
  closed_by       INTEGER REFERENCES users(id),  -- NULL when it closed at closes_at
  voters          INTEGER NOT NULL DEFAULT 0,
  shown_voters    INTEGER NOT NULL DEFAULT 0,
  next_publish_at INTEGER
);
CREATE INDEX polls_group ON polls(group_id, id);
CREATE INDEX polls_closing ON polls(closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL;
CREATE INDEX polls_publishing ON polls(next_publish_at) WHERE next_publish_at IS NOT NULL;

-- A poll's options with their counts: `votes` is the live count, `shown` the count the
-- group has been told (equal for a poll that is not anonymous).
CREATE TABLE poll_options (
  poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
  idx     INTEGER NOT NULL,
  text    TEXT    NOT NULL,
  votes   INTEGER NOT NULL DEFAULT 0,
  shown   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (poll_id, idx)
) WITHOUT ROWID;

-- Who has voted in a poll. For a poll that is not anonymous, `options` holds the voter's
-- choice (a JSON array of indexes). For an anonymous poll it is NULL and nothing else is
-- kept: no time, and WITHOUT ROWID so that no insertion order is stored either; the counts
-- in poll_options are the only trace of what anyone chose.
CREATE TABLE poll_voters (
  poll_id INTEGER NOT NULL REFERENCES polls(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  options TEXT,
  PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
