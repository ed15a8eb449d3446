// SPDX-License-Identifier: MIT
// Checks of a browser's PushSubscription before the server keeps it.
#pragma once
#include "peerchat/core/error.hpp"
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::service {

// The endpoint is where the server will POST: an https:// URL of at most 2048 characters
// whose host is a name or a public IP address. A loopback, private, link-local or
// otherwise special IP literal, or "localhost", is refused: otherwise any user could make
// the server send requests into its own network (SSRF). With allow_loopback (tests only)
// http:// and https:// URLs on 127.0.0.1 are accepted too. Names are checked again when
// the push client connects (a name may resolve to a private address).
result<void> check_push_endpoint(std::string_view endpoint, bool allow_loopback);

// base64url (padding optional) of exactly `bytes` bytes; p256dh must also start with 0x04
// (an uncompressed P-256 point). Returns the canonical unpadded text.
result<std::string> check_p256dh(std::string_view key);
result<std::string> check_push_auth(std::string_view secret);

// Decodes base64url (with or without `=` padding); nullopt when it is not.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace peerchat::service
