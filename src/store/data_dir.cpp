// SPDX-License-Identifier: MIT
// Owner-only permissions for the data dir and the database files in it.
#include "peerchat/store/data_dir.hpp"
#include <stdexcept>

namespace peerchat::store {

namespace fs = std::filesystem;

fs::path database_file(fs::path const& data_dir) { return data_dir / "peerchat.db"; }

void make_owner_only(fs::path const& file) {
  std::error_code ec;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  if (ec) throw std::runtime_error("cannot make " + file.string() + " readable by its owner only: " + ec.message());
}

void secure_data_dir(fs::path const& data_dir) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + data_dir.string() + ": " + ec.message());
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) throw std::runtime_error("cannot make data dir " + data_dir.string() + " owner-only (0700): " + ec.message());
  auto db = database_file(data_dir);
  for (auto const& suffix : {"", "-wal", "-shm", "-journal"}) {
    auto file = db;
    file += suffix;
    if (fs::exists(file, ec)) make_owner_only(file);
  }
}

}  // namespace peerchat::store
