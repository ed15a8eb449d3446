-- SPDX-License-Identifier: MIT
-- New messages enter the full-text index once per committed batch instead of one by one.
--
-- FTS5 writes its pending terms out at every statement savepoint, so a trigger that indexed
-- each INSERT made every message cost a small index segment of its own (a third of the
-- writer's time in the bench). Now an insert only notes the message in fts_pending, and the
-- writer indexes everything noted in one statement just before each COMMIT (see
-- service::index_new_messages). Edits and deletes touch the index only for messages it
-- already holds: FTS5's 'delete' must be given exactly what was indexed, and a pending
-- message is indexed with whatever body it has at the end of the batch.

CREATE TABLE fts_pending (
  id INTEGER PRIMARY KEY                     -- messages.id, not yet in messages_fts
);

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT OR IGNORE INTO fts_pending (id) VALUES (new.id);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.body IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id) BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
WHEN NOT EXISTS (SELECT 1 FROM fts_pending WHERE id = old.id) BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body)
    SELECT 'delete', old.id, old.body WHERE old.body IS NOT NULL;
  INSERT INTO messages_fts(rowid, body) SELECT new.id, new.body WHERE new.body IS NOT NULL;
END;
