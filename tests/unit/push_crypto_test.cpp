// SPDX-License-Identifier: MIT
// base64url, RFC 8291 aes128gcm (Appendix A byte for byte), and the server's push keys.
#include "fixture.hpp"
#include "peerchat/core/base64url.hpp"
#include "peerchat/push/encryption.hpp"
#include "peerchat/push/server_keys.hpp"

namespace peerchat::unit {
namespace {

std::string b64(std::string_view s) {
  auto out = base64url::decode(s);
  if (!out) throw std::runtime_error("bad base64url in a test vector: " + std::string(s));
  return *out;
}

TEST(PushBase64url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    auto text = base64url::encode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
    auto back = base64url::decode(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, bytes);
    bytes += static_cast<char>(n * 37 + 250);
  }
}

TEST(PushBase64url, RefusesOtherAlphabetsAndImpossibleLengths) {
  EXPECT_FALSE(base64url::decode("ab+/"));
  EXPECT_FALSE(base64url::decode("abcde"));  // 5 characters: no encoder writes that
  EXPECT_FALSE(base64url::decode("ab cd"));
  EXPECT_EQ(base64url::decode("YQ=="), std::string("a"));  // padding tolerated
}

// RFC 8291 Appendix A.
constexpr char plaintext[] = "When I grow up, I want to be a watermelon";
constexpr char as_public[] = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr char as_private[] = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr char ua_public[] = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr char ua_private[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr char salt[] = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr char auth[] = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr char body[] =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
    "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

TEST(PushEncryption, ReproducesRfc8291AppendixA) {
  auto as = push::ec_key::from_private(b64(as_private), b64(as_public));
  ASSERT_TRUE(as);
  auto out = push::encrypt_with(plaintext, b64(ua_public), b64(auth), *as, b64(salt));
  ASSERT_TRUE(out);
  EXPECT_EQ(base64url::encode(*out), body);
}

TEST(PushEncryption, TheBrowserDecryptsTheRfcExample) {
  auto ua = push::ec_key::from_private(b64(ua_private), b64(ua_public));
  ASSERT_TRUE(ua);
  EXPECT_EQ(push::decrypt(b64(body), *ua, b64(auth)), std::string(plaintext));
}

TEST(PushEncryption, EveryMessageHasAFreshKeyAndSaltAndThePaddedSize) {
  auto ua = push::ec_key::generate();
  std::string secret = b64("BTBZMqHH6r4Tts7J_aSIgg");
  auto a = push::encrypt("hi", ua.public_point(), secret, 2000);
  auto b = push::encrypt("a much longer message than hi", ua.public_point(), secret, 2000);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 86u + 2000u + 16u);
  EXPECT_EQ(a->size(), b->size());                 // the length tells nothing
  EXPECT_NE(a->substr(0, 16), b->substr(0, 16));   // salt
  EXPECT_NE(a->substr(21, 65), b->substr(21, 65)); // ephemeral public key
  EXPECT_EQ(push::decrypt(*a, ua, secret), std::string("hi"));
  EXPECT_EQ(push::decrypt(*b, ua, secret), std::string("a much longer message than hi"));
  // Another browser's key cannot read it.
  EXPECT_FALSE(push::decrypt(*a, push::ec_key::generate(), secret));
}

TEST(PushEncryption, RefusesMalformedSubscriptionKeys) {
  auto ua = push::ec_key::generate().public_point();
  std::string secret(16, 'x');
  EXPECT_FALSE(push::encrypt("x", ua.substr(0, 64), secret));        // short point
  EXPECT_FALSE(push::encrypt("x", std::string(65, '\x04'), secret));  // not on the curve
  EXPECT_FALSE(push::encrypt("x", ua, secret.substr(0, 15)));         // short auth
  EXPECT_FALSE(push::encrypt(std::string(5000, 'x'), ua, secret));    // over one record
}

class PushKeys : public store_fixture {
 protected:
  manual_clock clock;
  config cfg;
  push::server_keys load(store::writer& w, store::reader& r) {
    service::context ctx{w, r, clock, cfg, {}};
    return push::server_keys::load_or_create(ctx);
  }
  push::server_keys load() { return load(writer(), reader()); }
};

TEST_F(PushKeys, SurviveReopeningTheDatabase) {
  auto first = load();
  auto point = first.vapid.public_point();
  ASSERT_EQ(point.size(), 65u);
  EXPECT_EQ(point[0], '\x04');
  EXPECT_EQ(first.public_key_b64(), base64url::encode(point));
  EXPECT_EQ(first.topic_secret.size(), 32u);
  writer().stop();  // a restart: new connections to the same file
  store::writer w(db_file());
  store::reader r(db_file());
  auto second = load(w, r);
  EXPECT_EQ(second.public_key_b64(), first.public_key_b64());
  EXPECT_EQ(second.topic(7), first.topic(7));
}

TEST_F(PushKeys, TopicIsOpaqueShortAndPerGroup) {
  auto keys = load();
  auto t = keys.topic(7);
  EXPECT_EQ(t.size(), 32u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(t, keys.topic(8));
  EXPECT_NE(t, base64url::encode(push::hmac_sha256("", "group:7")).substr(0, 32));
}

}  // namespace
}  // namespace peerchat::unit
