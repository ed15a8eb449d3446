// SPDX-License-Identifier: MIT
#include "peerchat/store/backup_pin.hpp"
#include <cerrno>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace peerchat::store {

backup_pin::backup_pin(std::filesystem::path const& attachments_root, mode m) {
  std::error_code ec;
  std::filesystem::create_directories(attachments_root, ec);
  std::filesystem::permissions(attachments_root, std::filesystem::perms::owner_all, ec);
  auto file = attachments_root / ".backup";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open " + file.string());
  int rc;
  do {
    rc = ::flock(fd_, m == mode::backup ? LOCK_SH : LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  held_ = rc == 0;
}

backup_pin::~backup_pin() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace peerchat::store
