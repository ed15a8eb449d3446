// SPDX-License-Identifier: MIT
// A pool of read-only connections for history, search and lookups.
#pragma once
#include "peerchat/store/database.hpp"
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace peerchat::store {

// Thread safety: with() from any thread (never an I/O thread); each call gets a connection
// of its own for the duration of f.
class reader {
 public:
  explicit reader(std::filesystem::path file) : file_(std::move(file)) {}

  template <class F>
  auto with(F&& f) {
    auto db = checkout();
    struct give_back {
      reader* self;
      std::unique_ptr<database>& db;
      ~give_back() { self->checkin(std::move(db)); }
    } guard{this, db};
    return f(*db);
  }

 private:
  std::unique_ptr<database> checkout();
  void checkin(std::unique_ptr<database> db);

  std::filesystem::path file_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<database>> idle_;  // guarded by mutex_
};

}  // namespace peerchat::store
