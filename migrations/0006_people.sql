-- SPDX-License-Identifier: MIT
-- People and accounts (contract: "People and accounts"; docs/accounts.md): profiles and
-- avatars, devices, user administration, one-time reset and setup links, blocks, direct
-- conversations.

-- A profile's "about" line; an account an admin disabled (it cannot log in, its messages
-- stay); an account deleted (the row stays so old messages keep a sender id; its name,
-- password and profile are wiped and it shows as "Deleted user"); when it was last seen.
ALTER TABLE users ADD COLUMN about        TEXT    NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN disabled     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN deleted_at   INTEGER;          -- NULL: a live account
ALTER TABLE users ADD COLUMN last_seen_at INTEGER;          -- NULL: never

-- A device: the browser that logged in, and when the session was last used (updated at
-- most every few minutes, never on every request).
ALTER TABLE sessions ADD COLUMN user_agent   TEXT    NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;

-- A user's avatar, in the small sizes clients show (made from the uploaded image with its
-- metadata stripped). Small enough to live in the database, so backups carry them as they
-- are; `updated_at` names the version clients cache.
CREATE TABLE avatars (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  px         INTEGER NOT NULL,                 -- the square's side in pixels
  mime       TEXT    NOT NULL,
  bytes      BLOB    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, px)
) WITHOUT ROWID;

-- One-time links an admin hands over: `reset` for a forgotten password (24 h), `setup` for a
-- new account made without a password. Only the SHA-256 of the code is kept, like a token's.
CREATE TABLE account_codes (
  code_hash  TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    TEXT    NOT NULL CHECK (purpose IN ('reset', 'setup')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX account_codes_user ON account_codes(user_id);

-- A blocked user cannot start or send in a direct conversation with the blocker.
CREATE TABLE blocks (
  blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;

-- Every group is a `group` or a `direct` conversation of exactly two people; a pair of users
-- has at most one (the primary key makes that hold under concurrent requests).
ALTER TABLE groups ADD COLUMN kind TEXT NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'direct'));
CREATE TABLE direct_pairs (
  user_low  INTEGER NOT NULL REFERENCES users(id),
  user_high INTEGER NOT NULL REFERENCES users(id),
  group_id  INTEGER NOT NULL UNIQUE REFERENCES groups(id) ON DELETE CASCADE,
  PRIMARY KEY (user_low, user_high),
  CHECK (user_low < user_high)
) WITHOUT ROWID;
