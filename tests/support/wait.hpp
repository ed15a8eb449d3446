// SPDX-License-Identifier: MIT
// Waiting on a condition with a deadline: the only way tests wait for anything.
#pragma once
#include <chrono>
#include <thread>

namespace peerchat::test {

using namespace std::chrono_literals;

// Polls `done` until it returns true or `timeout` has passed; returns its last answer.
// Only for state outside the process's control (a port opening, a file appearing, a row a
// server commits): events on a socket are awaited with the clients' own deadlines instead.
template <class Predicate>
bool wait_until(Predicate&& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = 10ms) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace peerchat::test
