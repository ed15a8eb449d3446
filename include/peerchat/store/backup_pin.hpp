// SPDX-License-Identifier: MIT
// Keeps a backup consistent with the attachment files: `peerchat backup` (another process)
// holds a shared lock on <data_dir>/attachments/.backup from before its database snapshot
// until every file that snapshot lists is copied; the server erases a stored file only while
// holding that lock exclusively, taken without waiting. So a file the snapshot names cannot
// disappear under the backup; a file the server could not erase meanwhile has no row any more
// and goes with the next sweep.
#pragma once
#include <filesystem>

namespace peerchat::store {

// Thread safety: none needed; one thread makes and destroys it.
class backup_pin {
 public:
  enum class mode { backup, erase };
  // mode::backup waits for the shared lock; mode::erase tries the exclusive one without waiting
  // (held() says whether it got it). Creates the attachments dir and lock file when missing.
  backup_pin(std::filesystem::path const& attachments_root, mode m);
  ~backup_pin();
  backup_pin(backup_pin const&) = delete;
  backup_pin& operator=(backup_pin const&) = delete;
  bool held() const noexcept { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace peerchat::store
