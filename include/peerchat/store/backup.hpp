// SPDX-License-Identifier: MIT
// A consistent copy of a live database (SQLite online backup API).
#pragma once
#include <filesystem>

namespace peerchat::store {

// Copies the database at `from` to `to` while the server may be writing to it: the copy
// is one consistent snapshot (WAL lets the writer go on meanwhile). Written to a temporary
// file, checked with PRAGMA integrity_check, then renamed into place. Throws
// std::runtime_error with a sentence for the self-hoster on failure.
void backup(std::filesystem::path const& from, std::filesystem::path const& to);

}  // namespace peerchat::store
