// SPDX-License-Identifier: MIT
// P-256 keys, ECDH, HKDF and HMAC through OpenSSL 3's EVP interfaces (no hand-written crypto).
#include "peerchat/push/ec_key.hpp"
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdexcept>

namespace peerchat::push {

namespace {
constexpr char curve[] = "prime256v1";

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { F(p); }
};
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BIGNUM, BN_free>>;

bool is_p256(EVP_PKEY* k) {
  char name[64] = {};
  std::size_t len = 0;
  return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
         EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) == 1 &&
         std::string_view(name, len) == curve;
}

EVP_PKEY* from_params(OSSL_PARAM_BLD* bld, int selection) {
  params_ptr params(OSSL_PARAM_BLD_to_param(bld));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, selection, params.get()) != 1)
    return nullptr;
  return out;
}
}  // namespace

ec_key::ec_key(EVP_PKEY* k) : key_(k, EVP_PKEY_free) {
  if (!k) throw std::runtime_error("OpenSSL could not build a P-256 key");
}

ec_key ec_key::generate() { return ec_key(EVP_EC_gen(curve)); }

std::optional<ec_key> ec_key::from_pem(std::string_view pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!k) return std::nullopt;
  ec_key key(k);
  if (!is_p256(k)) return std::nullopt;
  return key;
}

std::optional<ec_key> ec_key::from_public(std::string_view point) {
  if (point.size() != 65 || point[0] != 0x04) return std::nullopt;
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return std::nullopt;
  // Importing checks that the point lies on the curve (an invalid-curve point would leak
  // bits of our ephemeral key through ECDH).
  EVP_PKEY* k = from_params(bld.get(), EVP_PKEY_PUBLIC_KEY);
  if (!k) return std::nullopt;
  return ec_key(k);
}

std::optional<ec_key> ec_key::from_private(std::string_view scalar, std::string_view point) {
  if (scalar.size() != 32 || point.size() != 65) return std::nullopt;
  bn_ptr d(BN_bin2bn(reinterpret_cast<unsigned char const*>(scalar.data()), 32, nullptr));
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!d || !bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    return std::nullopt;
  EVP_PKEY* k = from_params(bld.get(), EVP_PKEY_KEYPAIR);
  if (!k) return std::nullopt;
  return ec_key(k);
}

std::string ec_key::private_pem() const {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("OpenSSL could not write the private key as PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string ec_key::public_point() const {
  unsigned char buf[65];
  std::size_t len = 0;
  if (EVP_PKEY_set_utf8_string_param(key_.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
      EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &len) != 1 || len != 65)
    throw std::runtime_error("OpenSSL could not export the public point");
  return std::string(reinterpret_cast<char*>(buf), len);
}

std::optional<std::string> ecdh(ec_key const& mine, ec_key const& theirs) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(mine.get(), nullptr));
  unsigned char secret[32];
  std::size_t len = sizeof secret;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), theirs.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), secret, &len) != 1 || len != 32)
    return std::nullopt;
  return std::string(reinterpret_cast<char*>(secret), len);
}

std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info, std::size_t length) {
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  std::string out(length, '\0');
  std::size_t len = length;
  auto u = [](std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); };
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), u(salt), static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), u(ikm), static_cast<int>(ikm.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), u(info), static_cast<int>(info.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 || len != length)
    throw std::runtime_error("HKDF failed");
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<unsigned char const*>(data.data()),
            data.size(), out, &len))
    throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace peerchat::push
