// SPDX-License-Identifier: MIT
// A consistent copy of a live database (SQLite online backup API), and restoring one.
#pragma once
#include <filesystem>
#include <string>

namespace peerchat::store {

// Copies the database at `from` to `to` while the server may be writing to it: the copy
// is one consistent snapshot (WAL lets the writer go on meanwhile). Written to a temporary
// file, checked with PRAGMA integrity_check, made owner-only (0600), then renamed into
// place. Throws std::runtime_error with a sentence for the self-hoster on failure.
void backup(std::filesystem::path const& from, std::filesystem::path const& to);

// Replaces the database of `data_dir` with the backup `from`: refuses while a server runs on
// the data dir (see data_dir_lock), checks the backup, copies it, brings its schema up to
// date, gives it a NEW epoch (clients then drop what they cached of the old history),
// removes the old WAL and shared-memory files and makes everything owner-only. Returns the
// new epoch. Throws std::runtime_error with a sentence for the self-hoster.
std::string restore(std::filesystem::path const& from, std::filesystem::path const& data_dir);

}  // namespace peerchat::store
