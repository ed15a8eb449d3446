// SPDX-License-Identifier: MIT
// One server per data dir, and no restore under a running server.
#pragma once
#include <filesystem>

namespace peerchat::store {

// An exclusive advisory lock (flock) on data_dir/peerchat.lock, held while it lives. The
// kernel drops it when the process ends, even by SIGKILL, so a crash never leaves it stale.
// `peerchat serve` holds one; `peerchat restore` takes one, so it refuses while a server runs.
// Thread safety: none needed; made and destroyed by one thread.
class data_dir_lock {
 public:
  // Creates the lock file (0600) if needed. Throws std::runtime_error with a sentence for
  // the self-hoster when another process holds the lock.
  explicit data_dir_lock(std::filesystem::path const& data_dir);
  ~data_dir_lock();
  data_dir_lock(data_dir_lock const&) = delete;
  data_dir_lock& operator=(data_dir_lock const&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace peerchat::store
