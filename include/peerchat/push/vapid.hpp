// SPDX-License-Identifier: MIT
// RFC 8292 VAPID: the `Authorization: vapid t=<JWT>, k=<key>` header a push service checks.
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/push/ec_key.hpp"
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace peerchat::push {

// An ES256 JWT over `claims_json` (raw r ‖ s signature, RFC 7518 section 3.4).
std::string sign_jwt(ec_key const& key, std::string_view claims_json);

// Thread safety: authorization() from any thread (the cache is behind a mutex).
class vapid_signer {
 public:
  // Tokens live this long (RFC 8292 allows at most 24 h) and are renewed an hour before.
  static constexpr millis_t lifetime_ms = 12 * 3600 * 1000;
  static constexpr millis_t renew_before_ms = 3600 * 1000;

  // `subject`: a mailto: or https: contact for the push service's operators.
  vapid_signer(ec_key key, std::string subject);

  // The Authorization header value for a push to `origin` (scheme://host[:port]) at `now`;
  // one token per origin, cached until an hour before it expires.
  std::string authorization(std::string const& origin, millis_t now);

  std::string const& public_key_b64() const noexcept { return public_b64_; }

 private:
  struct token {
    std::string header;
    millis_t expires_ms;
  };
  ec_key key_;
  std::string subject_;
  std::string public_b64_;
  std::mutex mutex_;
  std::map<std::string, token> cache_;  // guarded by mutex_; one entry per push service origin
};

}  // namespace peerchat::push
