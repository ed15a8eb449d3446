// SPDX-License-Identifier: MIT
// The one error vocabulary of peerchat: each errc maps to one wire code and HTTP status.
#pragma once
#include <boost/system/result.hpp>
#include <boost/assert/source_location.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace peerchat {

enum class errc {
  bad_request = 1,
  unauthorized,
  forbidden,
  not_found,
  conflict,
  rate_limited,
  payload_too_large,
  invite_invalid,
  internal,
};

// The wire name of a code, as in the contract ("bad_request", …).
std::string_view to_string(errc code) noexcept;
// The HTTP status that carries a code.
int http_status(errc code) noexcept;

// An error a client will read: the code, a sentence for a person, and for rate limits
// how long to wait.
struct error {
  errc code = errc::internal;
  std::string message;
  std::int64_t retry_after_ms = 0;
};

inline error make_error(errc code, std::string message) { return {code, std::move(message), 0}; }

[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace peerchat
