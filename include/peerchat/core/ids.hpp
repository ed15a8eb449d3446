// SPDX-License-Identifier: MIT
// Strong ID types, so a user id never passes where a group id is expected.
#pragma once
#include <cstdint>
#include <functional>

namespace peerchat {
enum class user_id : std::int64_t {};
enum class group_id : std::int64_t {};
enum class session_id : std::int64_t {};
enum class message_id : std::int64_t {};

using seq_t = std::int64_t;      // position in a group's event log: 1, 2, 3… with no gaps
using millis_t = std::int64_t;   // milliseconds since the Unix epoch

template <class Id>
constexpr std::int64_t raw(Id id) noexcept { return static_cast<std::int64_t>(id); }
}  // namespace peerchat
