// SPDX-License-Identifier: MIT
// Mapping of peerchat's error codes to wire names and HTTP statuses (the one place).
#include "peerchat/core/error.hpp"
#include <stdexcept>

namespace peerchat {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::bad_request: return "bad_request";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::rate_limited: return "rate_limited";
    case errc::payload_too_large: return "payload_too_large";
    case errc::invite_invalid: return "invite_invalid";
    case errc::internal: return "internal";
  }
  return "internal";
}

int http_status(errc code) noexcept {
  switch (code) {
    case errc::bad_request: return 400;
    case errc::unauthorized: return 401;
    case errc::forbidden: return 403;
    case errc::not_found: return 404;
    case errc::conflict: return 409;
    case errc::rate_limited: return 429;
    case errc::payload_too_large: return 413;
    case errc::invite_invalid: return 404;
    case errc::internal: return 500;
  }
  return 500;
}

void throw_exception_from_error(error const& e, boost::source_location const&) {
  throw std::runtime_error(std::string(to_string(e.code)) + ": " + e.message);
}

}  // namespace peerchat
