-- SPDX-License-Identifier: MIT
-- Attachments (contract: "Attachments"; docs/attachments.md).
--
-- The bytes live outside the database, content-addressed: <data dir>/attachments/<ab>/<sha256>.
-- `attachment_files` lists every stored file once (an upload and its thumbnail are two), so
-- the quota is one SUM and a file is erased when no attachment row names it any more.
CREATE TABLE attachment_files (
  sha256     TEXT    PRIMARY KEY,              -- lowercase hex of the file's bytes = its name
  size       INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One upload. `id` is 128 random bits (base64url): it says nothing of how many there are.
-- An upload is attached once, by its uploader, to a message of the group it was uploaded to;
-- until then message_seq is NULL, and the sweep removes it after 24 h. Deleting the message
-- deletes its rows (the names are the user's words too) and then the files nobody uses.
CREATE TABLE attachments (
  id           TEXT    PRIMARY KEY,
  group_id     INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  uploader_id  INTEGER NOT NULL REFERENCES users(id),
  name         TEXT    NOT NULL,
  mime         TEXT    NOT NULL,               -- decided from the bytes
  size         INTEGER NOT NULL,
  sha256       TEXT    NOT NULL REFERENCES attachment_files(sha256),
  thumb_sha256 TEXT             REFERENCES attachment_files(sha256),
  width        INTEGER,
  height       INTEGER,
  duration_ms  INTEGER,
  created_at   INTEGER NOT NULL,
  message_seq  INTEGER,                        -- NULL until attached
  position     INTEGER                         -- order within its message
) WITHOUT ROWID;
CREATE INDEX attachments_message ON attachments(group_id, message_seq) WHERE message_seq IS NOT NULL;
CREATE INDEX attachments_unattached ON attachments(created_at) WHERE message_seq IS NULL;
CREATE INDEX attachments_file ON attachments(sha256);
CREATE INDEX attachments_thumb ON attachments(thumb_sha256) WHERE thumb_sha256 IS NOT NULL;
