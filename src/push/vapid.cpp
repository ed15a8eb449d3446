// SPDX-License-Identifier: MIT
// VAPID JWTs: ES256 with OpenSSL's EVP_DigestSign, the DER signature turned into raw r ‖ s.
#include "peerchat/push/vapid.hpp"
#include "peerchat/core/base64url.hpp"
#include <nlohmann/json.hpp>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <memory>
#include <stdexcept>
#include <vector>

namespace peerchat::push {

std::string sign_jwt(ec_key const& key, std::string_view claims_json) {
  std::string input = base64url::encode(R"({"typ":"JWT","alg":"ES256"})") + "." + base64url::encode(claims_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, reinterpret_cast<unsigned char const*>(input.data()), input.size()) != 1)
    throw std::runtime_error("ES256 signing failed");
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, reinterpret_cast<unsigned char const*>(input.data()),
                     input.size()) != 1)
    throw std::runtime_error("ES256 signing failed");
  unsigned char const* p = der.data();
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)),
                                                           ECDSA_SIG_free);
  unsigned char raw[64];
  if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + 32, 32) != 32)
    throw std::runtime_error("ES256 signature could not be converted");
  return input + "." + base64url::encode(std::string_view(reinterpret_cast<char*>(raw), 64));
}

vapid_signer::vapid_signer(ec_key key, std::string subject)
    : key_(std::move(key)), subject_(std::move(subject)), public_b64_(base64url::encode(key_.public_point())) {}

std::string vapid_signer::authorization(std::string const& origin, millis_t now) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(origin);
  if (it != cache_.end() && now < it->second.expires_ms - renew_before_ms) return it->second.header;
  millis_t expires = now + lifetime_ms;
  nlohmann::json claims{{"aud", origin}, {"exp", expires / 1000}, {"sub", subject_}};
  std::string header = "vapid t=" + sign_jwt(key_, claims.dump()) + ", k=" + public_b64_;
  cache_[origin] = token{header, expires};
  return header;
}

}  // namespace peerchat::push
