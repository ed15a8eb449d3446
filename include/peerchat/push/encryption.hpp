// SPDX-License-Identifier: MIT
// RFC 8291 message encryption for Web Push: the aes128gcm content coding of RFC 8188, one record.
#pragma once
#include "peerchat/push/ec_key.hpp"
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::push {

// The record size written in the header: one record holds any payload we send.
inline constexpr std::uint32_t record_size = 4096;

// Encrypts `plaintext` for a browser whose subscription holds `ua_public` (the 65-byte
// p256dh point) and `auth` (16 bytes), with a fresh ephemeral key pair and a fresh salt.
// The plaintext is followed by the 0x02 delimiter and zero padding up to `padded_size`
// bytes (0: no padding). Returns salt(16) ‖ rs(4) ‖ idlen(1)=65 ‖ as_public(65) ‖ ciphertext;
// nullopt when the keys are malformed or the padded plaintext does not fit one record.
std::optional<std::string> encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth,
                                   std::size_t padded_size = 0);

// The same with a given ephemeral key and salt: only for reproducing RFC 8291 Appendix A.
// Reusing a key/salt pair for two messages would repeat AES-GCM's key and nonce.
std::optional<std::string> encrypt_with(std::string_view plaintext, std::string_view ua_public, std::string_view auth,
                                        ec_key const& as_key, std::string_view salt, std::size_t padded_size = 0);

// The browser's side: decrypts a body made by encrypt() with the subscription's private key
// and auth secret, and strips the padding. For tests and tools.
std::optional<std::string> decrypt(std::string_view body, ec_key const& ua_key, std::string_view auth);

}  // namespace peerchat::push
