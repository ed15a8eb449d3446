// SPDX-License-Identifier: MIT
// The read-only connection pool.
#include "peerchat/store/reader.hpp"

namespace peerchat::store {

std::unique_ptr<database> reader::checkout() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
  }
  return std::make_unique<database>(file_, database::mode::read_only);
}

void reader::checkin(std::unique_ptr<database> db) {
  db->reset_all();
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(db));
}

}  // namespace peerchat::store
