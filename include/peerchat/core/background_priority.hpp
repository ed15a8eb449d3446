// SPDX-License-Identifier: MIT
// Background work yields the CPU to the chat: push and media threads run at a lower priority
// than the I/O and writer threads, so encrypting pushes or decoding a photo never delays a
// delivery or an ack.
#pragma once

namespace peerchat {

// Lowers the calling thread's priority (Linux: nice +10 for this thread only). Best effort:
// a failure is logged once and ignored.
void lower_this_thread_priority() noexcept;

}  // namespace peerchat
