// SPDX-License-Identifier: MIT
// A consistent backup of a live data dir — the database (SQLite online backup API) and the
// attachment files it lists, in one archive (archive.hpp) — and restoring one.
#pragma once
#include <filesystem>
#include <string>

namespace peerchat::store {

// Writes the backup of `data_dir` to `to` while the server may be writing to it: a tar
// archive of peerchat.db — one consistent snapshot, checked with PRAGMA integrity_check (WAL
// lets the writer go on meanwhile) — and attachments/<ab>/<sha256> for every file that
// snapshot lists (backup_pin.hpp keeps them from being erased meanwhile). Written to a
// temporary file, made owner-only (0600), then renamed into place. Throws
// std::runtime_error with a sentence for the self-hoster on failure.
void backup(std::filesystem::path const& data_dir, std::filesystem::path const& to);

// Replaces the database and the attachment files of `data_dir` with the backup `from` (an
// archive from backup(), or a plain database file from a peerchat before attachments): refuses while a server runs on
// the data dir (see data_dir_lock), checks the backup, copies it, brings its schema up to
// date, gives it a NEW epoch (clients then drop what they cached of the old history),
// removes the old WAL and shared-memory files and makes everything owner-only. Returns the
// new epoch. Throws std::runtime_error with a sentence for the self-hoster.
std::string restore(std::filesystem::path const& from, std::filesystem::path const& data_dir);

}  // namespace peerchat::store
