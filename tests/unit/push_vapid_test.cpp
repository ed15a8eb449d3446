// SPDX-License-Identifier: MIT
// RFC 8292 VAPID: the JWT verifies with OpenSSL's verifier and carries the right claims.
#include "fixture.hpp"
#include "peerchat/core/base64url.hpp"
#include "peerchat/push/vapid.hpp"
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

namespace peerchat::unit {
namespace {

std::vector<std::string> split(std::string const& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back().push_back(c);
  }
  return out;
}

// Verifies an ES256 JWT the way a push service does: raw r ‖ s back to DER, then EVP_DigestVerify.
bool verifies(std::string const& jwt, push::ec_key const& key) {
  auto parts = split(jwt, '.');
  if (parts.size() != 3) return false;
  auto raw = base64url::decode(parts[2]);
  if (!raw || raw->size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  auto const* r = reinterpret_cast<unsigned char const*>(raw->data());
  ECDSA_SIG_set0(sig, BN_bin2bn(r, 32, nullptr), BN_bin2bn(r + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  std::string input = parts[0] + "." + parts[1];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                             reinterpret_cast<unsigned char const*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

struct parsed {
  std::string jwt, k;
};
parsed parse_header(std::string const& h) {
  // "vapid t=<jwt>, k=<key>"
  auto t = h.find("t="), comma = h.find(", k=");
  return {h.substr(t + 2, comma - t - 2), h.substr(comma + 4)};
}

TEST(PushVapid, JwtVerifiesAndCarriesAudienceExpiryAndSubject) {
  auto key = push::ec_key::generate();
  push::vapid_signer signer(key, "mailto:admin@example.org");
  millis_t now = 1'700'000'000'000;
  auto header = signer.authorization("https://push.example.net", now);
  ASSERT_TRUE(header.starts_with("vapid t="));
  auto p = parse_header(header);
  EXPECT_EQ(p.k, base64url::encode(key.public_point()));
  EXPECT_TRUE(verifies(p.jwt, key));
  EXPECT_FALSE(verifies(p.jwt, push::ec_key::generate()));

  auto parts = split(p.jwt, '.');
  auto head = json::parse(*base64url::decode(parts[0]));
  EXPECT_EQ(head["alg"], "ES256");
  EXPECT_EQ(head["typ"], "JWT");
  auto claims = json::parse(*base64url::decode(parts[1]));
  EXPECT_EQ(claims["aud"], "https://push.example.net");
  EXPECT_EQ(claims["sub"], "mailto:admin@example.org");
  std::int64_t exp = claims["exp"];
  EXPECT_GT(exp, now / 1000);
  EXPECT_LE(exp, now / 1000 + 24 * 3600);
}

TEST(PushVapid, TokenIsCachedPerOriginUntilNearItsExpiry) {
  push::vapid_signer signer(push::ec_key::generate(), "mailto:a@example.org");
  millis_t now = 1'700'000'000'000;
  auto a = signer.authorization("https://a.example", now);
  EXPECT_EQ(signer.authorization("https://a.example", now + 3600'000), a);
  EXPECT_NE(signer.authorization("https://b.example", now), a);
  EXPECT_NE(signer.authorization("https://a.example", now + push::vapid_signer::lifetime_ms - 60'000), a);
}

TEST(PushVapid, TamperedClaimsFailVerification) {
  auto key = push::ec_key::generate();
  auto jwt = push::sign_jwt(key, R"({"aud":"https://a.example","exp":1,"sub":"mailto:x@y"})");
  auto parts = split(jwt, '.');
  auto forged = parts[0] + "." + base64url::encode(R"({"aud":"https://evil.example","exp":1,"sub":"mailto:x@y"})") +
                "." + parts[2];
  EXPECT_TRUE(verifies(jwt, key));
  EXPECT_FALSE(verifies(forged, key));
}

}  // namespace
}  // namespace peerchat::unit
