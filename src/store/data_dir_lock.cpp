// SPDX-License-Identifier: MIT
// The data dir's lock file.
#include "peerchat/store/data_dir_lock.hpp"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace peerchat::store {

data_dir_lock::data_dir_lock(std::filesystem::path const& data_dir) {
  auto file = data_dir / "peerchat.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw std::runtime_error("a peerchat server is running on " + data_dir.string() + " (it holds " + file.string() +
                               "); stop it first");
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(err));
  }
}

data_dir_lock::~data_dir_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the lock
}

}  // namespace peerchat::store
