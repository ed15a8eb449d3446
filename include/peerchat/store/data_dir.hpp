// SPDX-License-Identifier: MIT
// The data dir's permissions: the database holds invite codes in clear and message text.
#pragma once
#include <filesystem>

namespace peerchat::store {

// The database file in a data dir.
std::filesystem::path database_file(std::filesystem::path const& data_dir);

// Creates `data_dir` if needed and makes it owner-only: the directory 0700, and
// peerchat.db, its -wal and -shm files 0600 when they exist (an install made by an older
// peerchat has 0755/0644). Throws std::runtime_error with a sentence for the self-hoster.
void secure_data_dir(std::filesystem::path const& data_dir);

// Makes one file owner-only (0600); throws std::runtime_error when it cannot.
void make_owner_only(std::filesystem::path const& file);

}  // namespace peerchat::store
