// SPDX-License-Identifier: MIT
// An independent check of the push layer's cryptography: peerchat_push encrypts (RFC 8291) and
// signs (RFC 8292) a push for a subscription whose private key only the local push service
// (Python's cryptography) knows; the service verifies the JWT and decrypts the body. Our unit
// tests check our code against our own decryptor and the RFC's example; this one checks it
// against someone else's implementation, with fresh keys every run.
#include "peerchat/core/base64url.hpp"
#include "peerchat/push/ec_key.hpp"
#include "peerchat/push/encryption.hpp"
#include "peerchat/push/vapid.hpp"
#include "support/push_service.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace peerchat::test {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class push_crypto_test : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(push.start(dir.path(), std::chrono::seconds(120))) << push.log();
    push.expect_key(signer.public_key_b64());
  }

  // POSTs `body` to the subscription's endpoint as the dispatcher would.
  http_response post(push_subscription_keys const& sub, std::string const& body, std::string const& authorization) {
    auto path = sub.endpoint.substr(sub.endpoint.find("/push/"));
    return http_client(push.port())
        .request_raw(http::verb::post, path, body,
                     {.headers = {{"Authorization", authorization},
                                  {"TTL", "60"},
                                  {"Urgency", "normal"},
                                  {"Content-Encoding", "aes128gcm"},
                                  {"Content-Type", "application/octet-stream"}}});
  }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(push.port()); }

  temp_dir dir;
  local_push_service push;
  push::vapid_signer signer{push::ec_key::generate(), "mailto:ops@example.org"};
};

TEST_F(push_crypto_test, python_cryptography_verifies_our_jwt_and_decrypts_our_body) {
  for (std::size_t padded : {std::size_t{0}, std::size_t{2048}}) {
    auto sub = push.subscribe();
    auto ua_public = base64url::decode(sub.p256dh);
    auto auth = base64url::decode(sub.auth);
    ASSERT_TRUE(ua_public && auth);
    json payload{{"type", "message"}, {"body", "Grüße 👋 from the C++ side"}, {"padded", padded}};
    auto body = push::encrypt(payload.dump(), *ua_public, *auth, padded);
    ASSERT_TRUE(body);
    auto r = post(sub, *body, signer.authorization(origin(), now_ms()));
    EXPECT_EQ(r.status, 201) << r;
    auto got = push.wait_for(sub.id, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0]["errors"].empty()) << got[0].dump();
    EXPECT_EQ(got[0]["payload"], payload);
    EXPECT_EQ(got[0]["claims"]["sub"], "mailto:ops@example.org");
    if (padded) EXPECT_GE(got[0]["body_length"].get<std::size_t>(), padded);
  }
}

TEST_F(push_crypto_test, the_checker_refuses_a_body_for_another_subscription_and_a_foreign_key) {
  auto sub = push.subscribe();
  auto other = push.subscribe();
  auto body = push::encrypt("{}", *base64url::decode(other.p256dh), *base64url::decode(other.auth));
  ASSERT_TRUE(body);
  EXPECT_EQ(post(sub, *body, signer.authorization(origin(), now_ms())).status, 400);
  push::vapid_signer stranger{push::ec_key::generate(), "mailto:ops@example.org"};
  auto good = push::encrypt("{}", *base64url::decode(sub.p256dh), *base64url::decode(sub.auth));
  EXPECT_EQ(post(sub, *good, stranger.authorization(origin(), now_ms())).status, 400);
  auto got = push.wait_for(sub.id, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0]["errors"].dump().find("payload"), std::string::npos) << got[0].dump();
  EXPECT_NE(got[1]["errors"].dump().find("GET /push/key"), std::string::npos) << got[1].dump();
}

}  // namespace
}  // namespace peerchat::test
