// SPDX-License-Identifier: MIT
// A P-256 key (OpenSSL EVP_PKEY) in the forms Web Push needs: PEM, the 65-byte point, raw scalar.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace peerchat::push {

// Thread safety: a const ec_key may be used from several threads (OpenSSL keys are
// reference-counted and read-only once built).
class ec_key {
 public:
  // A fresh key pair from the OS CSPRNG.
  static ec_key generate();
  // A private key in PEM (PKCS#8 or SEC 1); nullopt when it is not a P-256 private key.
  static std::optional<ec_key> from_pem(std::string_view pem);
  // A peer's public key: the 65-byte uncompressed point (0x04 ‖ x ‖ y); nullopt when the
  // bytes are not a point on P-256.
  static std::optional<ec_key> from_public(std::string_view point);
  // A private key from its 32-byte scalar and its public point (test vectors give both).
  static std::optional<ec_key> from_private(std::string_view scalar, std::string_view point);

  std::string private_pem() const;   // PKCS#8 PEM; needs a private key
  std::string public_point() const;  // 65 bytes, uncompressed

  evp_pkey_st* get() const noexcept { return key_.get(); }

 private:
  explicit ec_key(evp_pkey_st* k);
  std::shared_ptr<evp_pkey_st> key_;
};

// ECDH on P-256: the 32-byte shared x coordinate; nullopt when OpenSSL refuses.
std::optional<std::string> ecdh(ec_key const& mine, ec_key const& theirs);

// HKDF-SHA-256 (RFC 5869) of `length` bytes.
std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info, std::size_t length);

// HMAC-SHA-256.
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace peerchat::push
