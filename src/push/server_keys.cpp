// SPDX-License-Identifier: MIT
// Loading the VAPID key pair and the Topic secret through service::load_push_secrets.
#include "peerchat/push/server_keys.hpp"
#include "peerchat/core/base64url.hpp"
#include "peerchat/service/push_keys.hpp"
#include <stdexcept>

namespace peerchat::push {

server_keys server_keys::load_or_create(service::context& ctx) {
  auto secrets = service::load_push_secrets(ctx, [] { return ec_key::generate().private_pem(); });
  auto key = ec_key::from_pem(secrets.vapid_private_pem);
  if (!key) throw std::runtime_error("the Web Push key in the database is not a P-256 private key");
  auto topic = base64url::decode(secrets.topic_secret);
  if (!topic || topic->size() < 32) throw std::runtime_error("the Web Push topic secret in the database is malformed");
  return server_keys{std::move(*key), std::move(*topic)};
}

std::string server_keys::public_key_b64() const { return base64url::encode(vapid.public_point()); }

std::string server_keys::topic(std::int64_t group) const {
  return base64url::encode(hmac_sha256(topic_secret, "group:" + std::to_string(group))).substr(0, 32);
}

}  // namespace peerchat::push
