// SPDX-License-Identifier: MIT
// The background checkpoint thread.
#include "peerchat/store/checkpointer.hpp"
#include "peerchat/store/database.hpp"
#include <spdlog/spdlog.h>

namespace peerchat::store {

checkpointer::checkpointer(std::filesystem::path file) : file_(std::move(file)), thread_([this] { run(); }) {}

checkpointer::~checkpointer() { stop(); }

void checkpointer::wal_grew(int pages) {
  if (pages < threshold_pages) return;
  std::lock_guard lock(mutex_);
  due_ = true;
  wake_.notify_one();
}

void checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void checkpointer::run() {
  std::unique_ptr<database> db;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return due_ || stopping_; });
      if (stopping_) return;
      due_ = false;
    }
    try {
      if (!db) db = std::make_unique<database>(file_, database::mode::read_write);
      db->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (std::exception const& e) {
      // Nothing is lost: the frames stay in the WAL and the next wake-up tries again.
      spdlog::warn("store: checkpoint failed: {}", e.what());
      db.reset();
    }
  }
}

}  // namespace peerchat::store
