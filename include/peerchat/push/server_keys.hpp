// SPDX-License-Identifier: MIT
// The server's VAPID key pair and Topic secret, loaded (or made at first start) from the database.
#pragma once
#include "peerchat/push/ec_key.hpp"
#include "peerchat/service/context.hpp"
#include <string>

namespace peerchat::push {

struct server_keys {
  ec_key vapid;
  std::string topic_secret;  // raw bytes

  // Throws std::runtime_error with a message for the self-hoster when the stored key is
  // unreadable or the store fails (at start only).
  static server_keys load_or_create(service::context& ctx);

  // base64url of the 65-byte uncompressed public point: GET /push/key.
  std::string public_key_b64() const;
  // The opaque Topic of a group's pushes: base64url of HMAC-SHA-256(topic_secret, group id),
  // cut to 32 characters (RFC 8030's limit). The Topic travels in clear to the browser
  // vendor; a plain group id would tell it which phones share a group.
  std::string topic(std::int64_t group) const;
};

}  // namespace peerchat::push
