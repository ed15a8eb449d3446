// SPDX-License-Identifier: MIT
// The server's Web Push secrets, kept in the database's meta table (so `peerchat backup` and
// `peerchat restore` carry them with the data).
#pragma once
#include "peerchat/service/context.hpp"
#include <functional>
#include <string>

namespace peerchat::service {

struct push_secrets {
  std::string vapid_private_pem;  // the VAPID key pair, PKCS#8 PEM
  std::string topic_secret;       // 32 random bytes, base64url: keys the opaque Topic hash
};

// Reads the secrets, storing `make_private_pem()` and a fresh topic secret first when the
// database has none (its first start). A new key on a restored server would silently end
// every phone's notifications: every subscription is bound to the key that made it.
// Throws std::runtime_error when the store cannot answer (at start only).
push_secrets load_push_secrets(context& ctx, std::function<std::string()> const& make_private_pem);

}  // namespace peerchat::service
