// SPDX-License-Identifier: MIT
#include "peerchat/core/thread_name.hpp"
#include <cstring>
#include <pthread.h>

namespace peerchat {

void name_this_thread(char const* name) noexcept {
  char cut[16] = {};
  std::strncpy(cut, name, sizeof cut - 1);  // pthread_setname_np refuses names over 15 bytes
  ::pthread_setname_np(::pthread_self(), cut);
}

}  // namespace peerchat
