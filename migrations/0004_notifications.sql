-- SPDX-License-Identifier: MIT
-- Notifications (issue 11): who a message mentions, each member's notification level and
-- mute, each user's quiet hours, and the browsers' push subscriptions.

-- One row per (message, mentioned member), written with the message (and rewritten by an
-- edit). `ts` is the message's time, copied so GET /mentions pages newest first from the
-- index alone. Kept when the message is deleted (the silent push that removes its
-- notification needs them); GET /mentions leaves deleted messages out.
CREATE TABLE mentions (
  group_id INTEGER NOT NULL,
  seq      INTEGER NOT NULL,
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  ts       INTEGER NOT NULL,
  PRIMARY KEY (group_id, seq, user_id),
  FOREIGN KEY (group_id, seq) REFERENCES messages(group_id, seq) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX mentions_by_user ON mentions(user_id, ts DESC, group_id DESC, seq DESC);

-- A member's notification level in a group and an optional mute; they go with the
-- membership (leaving and joining again starts from the default, `all`).
ALTER TABLE memberships ADD COLUMN notify_level TEXT NOT NULL DEFAULT 'all'
  CHECK (notify_level IN ('all', 'mentions', 'none'));
ALTER TABLE memberships ADD COLUMN muted_until INTEGER;

-- Per user: nothing buzzes between start and end (minutes after local midnight in `tz`,
-- an IANA time zone), except mentions when allow_mentions.
CREATE TABLE quiet_hours (
  user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  start_minute   INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute     INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
  tz             TEXT    NOT NULL,
  allow_mentions INTEGER NOT NULL DEFAULT 0
);

-- A browser's PushSubscription. It belongs to the session that registered it: when that
-- session ends (logout, and every other way a session goes), its subscriptions go too, so a
-- device nobody is logged in on receives nothing.
CREATE TABLE push_subscriptions (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  endpoint   TEXT    NOT NULL UNIQUE,
  p256dh     TEXT    NOT NULL,
  auth       TEXT    NOT NULL,
  device     TEXT    NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id, created_at);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_id);
