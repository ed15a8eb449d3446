// SPDX-License-Identifier: MIT
// base64url without padding (RFC 4648 section 5), the encoding of Web Push keys and JWTs.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::base64url {

// Any bytes → base64url, no '=' padding.
std::string encode(std::string_view bytes);

// base64url (trailing '=' padding tolerated) → bytes; nullopt for any other character or a
// length no encoder produces.
std::optional<std::string> decode(std::string_view text);

}  // namespace peerchat::base64url
