// SPDX-License-Identifier: MIT
// Push work yields the CPU to the chat: its threads run at a lower priority than the I/O and
// writer threads, so encrypting and sending pushes never delays a delivery or an ack.
#pragma once

namespace peerchat::push {

// Lowers the calling thread's priority (Linux: nice +10 for this thread only). Best effort:
// a failure is logged once and ignored.
void lower_this_thread_priority() noexcept;

}  // namespace peerchat::push
