-- SPDX-License-Identifier: MIT
-- Deleted text leaves the disk, and each database gets an epoch.
--
-- FTS5's secure-delete (SQLite ≥ 3.42, vendored for it): a 'delete' removes the message's
-- entries from the index's segments instead of adding a tombstone beside them, so a deleted
-- message's words do not stay on disk until some merge happens to rewrite their segment.
-- 'optimize' then merges what older versions left behind (tombstones included) once.
INSERT INTO messages_fts(messages_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO messages_fts(messages_fts) VALUES ('optimize');

-- Settings of this database file. 'epoch' is 128 random bits in hex, made here and made anew
-- by `peerchat restore`: clients compare it with the one they remember, because after a
-- restore from an older backup seqs repeat and a seq alone cannot tell.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))));

-- Counts erased message bodies. The checkpointer watches it: after an erasure it copies the
-- WAL into the database and truncates it, so the old text does not linger in peerchat.db-wal.
CREATE TABLE erasures (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL
);
INSERT INTO erasures (id, count) VALUES (1, 0);
CREATE TRIGGER messages_erased AFTER UPDATE OF body ON messages
WHEN old.body IS NOT NULL AND new.body IS NULL BEGIN
  UPDATE erasures SET count = count + 1 WHERE id = 1;
END;
CREATE TRIGGER messages_removed AFTER DELETE ON messages WHEN old.body IS NOT NULL BEGIN
  UPDATE erasures SET count = count + 1 WHERE id = 1;
END;
