// SPDX-License-Identifier: MIT
#include "peerchat/core/background_priority.hpp"
#include <atomic>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace peerchat {

void lower_this_thread_priority() noexcept {
  // On Linux a thread is a process to setpriority(): its tid lowers this thread alone.
  auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  if (::setpriority(PRIO_PROCESS, tid, 10) != 0) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) spdlog::warn("could not lower the priority of background threads (push, media): {}", std::strerror(errno));
  }
}

}  // namespace peerchat
