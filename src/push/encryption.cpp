// SPDX-License-Identifier: MIT
// RFC 8291 / RFC 8188 aes128gcm: ECDH + HKDF key schedule, AES-128-GCM over one record.
#include "peerchat/push/encryption.hpp"
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <memory>

namespace peerchat::push {

namespace {
constexpr std::size_t salt_len = 16, tag_len = 16, point_len = 65, header_len = 16 + 4 + 1 + point_len;

struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

struct content_keys {
  std::string cek, nonce;
};

// RFC 8291 section 3.4: the shared secret is bound to both public keys and the auth secret.
std::optional<content_keys> derive(std::string_view ecdh_secret, std::string_view auth, std::string_view ua_public,
                                   std::string_view as_public, std::string_view salt) {
  std::string info = "WebPush: info";
  info += '\0';
  info.append(ua_public).append(as_public);
  std::string ikm = hkdf_sha256(auth, ecdh_secret, info, 32);
  using namespace std::string_view_literals;
  return content_keys{hkdf_sha256(salt, ikm, "Content-Encoding: aes128gcm\0"sv, 16),
                      hkdf_sha256(salt, ikm, "Content-Encoding: nonce\0"sv, 12)};
}

auto uc(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }
}  // namespace

std::optional<std::string> encrypt_with(std::string_view plaintext, std::string_view ua_public, std::string_view auth,
                                        ec_key const& as_key, std::string_view salt, std::size_t padded_size) {
  if (auth.size() != 16 || salt.size() != salt_len) return std::nullopt;
  std::size_t record_plain = std::max(plaintext.size() + 1, padded_size);
  if (record_plain + tag_len > record_size) return std::nullopt;
  auto ua = ec_key::from_public(ua_public);
  if (!ua) return std::nullopt;
  auto secret = ecdh(as_key, *ua);
  if (!secret) return std::nullopt;
  std::string as_public = as_key.public_point();
  auto keys = derive(*secret, auth, ua_public, as_public, salt);

  std::string record(plaintext);
  record += '\x02';  // the last (and only) record's delimiter, then zeros
  record.resize(record_plain, '\0');

  std::string out;
  out.reserve(header_len + record_plain + tag_len);
  out.append(salt);
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((record_size >> shift) & 0xff);
  out += static_cast<char>(point_len);
  out += as_public;
  std::size_t at = out.size();
  out.resize(at + record_plain + tag_len);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + at);

  std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx(EVP_CIPHER_CTX_new());
  int len = 0, fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, uc(keys->cek), uc(keys->nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, uc(record), static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, tag_len, dst + record_plain) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::string> encrypt(std::string_view plaintext, std::string_view ua_public, std::string_view auth,
                                   std::size_t padded_size) {
  std::string salt(salt_len, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), salt_len) != 1) return std::nullopt;
  return encrypt_with(plaintext, ua_public, auth, ec_key::generate(), salt, padded_size);
}

std::optional<std::string> decrypt(std::string_view body, ec_key const& ua_key, std::string_view auth) {
  if (body.size() < header_len + tag_len + 1 || static_cast<unsigned char>(body[20]) != point_len) return std::nullopt;
  std::string_view salt = body.substr(0, salt_len), as_public = body.substr(21, point_len);
  std::string_view cipher = body.substr(header_len, body.size() - header_len - tag_len);
  std::string tag(body.substr(body.size() - tag_len));
  auto as = ec_key::from_public(as_public);
  if (!as) return std::nullopt;
  auto secret = ecdh(ua_key, *as);
  if (!secret) return std::nullopt;
  auto keys = derive(*secret, auth, ua_key.public_point(), as_public, salt);
  std::string plain(cipher.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(plain.data());
  std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx(EVP_CIPHER_CTX_new());
  int len = 0, fin = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, uc(keys->cek), uc(keys->nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, uc(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, tag_len, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &fin) != 1)
    return std::nullopt;
  auto delim = plain.find_last_not_of('\0');
  if (delim == std::string::npos || plain[delim] != '\x02') return std::nullopt;
  plain.resize(delim);
  return plain;
}

}  // namespace peerchat::push
