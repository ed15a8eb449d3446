// SPDX-License-Identifier: MIT
// Logging in and out: credentials, the browser cookie, Bearer tokens, and the login limit.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

class accounts_test : public ::testing::Test {
 protected:
  void SetUp() override {
    srv.config().limits.login_per_minute = login_per_minute;
    srv.create_user("alice", true);
    srv.create_user("bob");
    srv.start();
  }

  http_response login(std::string const& username, std::string const& password) {
    return srv.http().post(test_server::api("/sessions"), {{"username", username}, {"password", password}});
  }

  // The value of the peerchat_session cookie in a Set-Cookie header, or "".
  static std::string session_cookie(http_response const& r) {
    for (auto const& c : r.set_cookies()) {
      if (c.rfind("peerchat_session=", 0) != 0) continue;
      auto end = c.find(';');
      return c.substr(0, end);
    }
    return {};
  }

  http_response me_with_cookie(std::string const& cookie) {
    return srv.http().request(http::verb::get, test_server::api("/me"), std::nullopt, {{}, {{"Cookie", cookie}}});
  }

  double login_per_minute = 100000;
  test_server srv;
};

TEST_F(accounts_test, LoginWithTheRightPasswordGivesATokenAndTheUser) {
  auto r = login("alice", password_for("alice"));
  ASSERT_STATUS(r, 201);
  auto j = r.json();
  ASSERT_TRUE(j.contains("token") && j["token"].is_string()) << r;
  // 256 random bits need at least 43 characters in any text encoding.
  EXPECT_GE(j["token"].get<std::string>().size(), 43u) << r;
  auto const& user = j["user"];
  EXPECT_TRUE(user["id"].is_number_integer() && user["id"].get<std::int64_t>() > 0) << r;
  EXPECT_EQ(user.value("username", ""), "alice");
  EXPECT_EQ(user.value("display_name", ""), "Alice");
  EXPECT_EQ(user.value("is_admin", false), true);
  EXPECT_FALSE(user.contains("password_hash")) << r;
  EXPECT_FALSE(user.contains("password")) << r;

  auto bob = login("bob", password_for("bob"));
  ASSERT_STATUS(bob, 201);
  EXPECT_EQ(bob.json()["user"].value("is_admin", true), false);
  EXPECT_NE(bob.json()["token"], j["token"]);
}

TEST_F(accounts_test, BadCredentialsAreUnauthorized) {
  EXPECT_ERROR(login("alice", "wrong-password-1"), 401, "unauthorized");
  EXPECT_ERROR(login("alice", password_for("alice") + "x"), 401, "unauthorized");
  EXPECT_ERROR(login("nobody", "whatever-password"), 401, "unauthorized");
  EXPECT_ERROR(login("ALICE", password_for("alice")), 401, "unauthorized");
  // The bad attempts did not lock alice out (the limit is relaxed in this test).
  EXPECT_STATUS(login("alice", password_for("alice")), 201);
}

TEST_F(accounts_test, LoginSetsAHttpOnlyLaxCookieWithoutSecureOverPlainHttp) {
  auto r = login("alice", password_for("alice"));
  ASSERT_STATUS(r, 201);
  std::string header;
  for (auto const& c : r.set_cookies())
    if (c.rfind("peerchat_session=", 0) == 0) header = c;
  ASSERT_FALSE(header.empty()) << "no peerchat_session cookie in " << r;
  auto lower = header;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_NE(lower.find("httponly"), std::string::npos) << header;
  EXPECT_NE(lower.find("samesite=lax"), std::string::npos) << header;
  EXPECT_NE(lower.find("path=/"), std::string::npos) << header;
  EXPECT_EQ(lower.find("path=/api"), std::string::npos) << header;
  EXPECT_EQ(lower.find("secure"), std::string::npos) << "Secure over plain HTTP breaks browsers: " << header;
}

TEST_F(accounts_test, BearerAndCookieBothAuthenticate) {
  auto r = login("bob", password_for("bob"));
  ASSERT_STATUS(r, 201);
  auto token = r.json()["token"].get<std::string>();
  auto me = srv.http().get(test_server::api("/me"), token);
  ASSERT_STATUS(me, 200);
  auto j = me.json();
  EXPECT_EQ(keys_of(j), (std::vector<std::string>{"about", "avatar", "can_create_groups", "display_name", "id", "is_admin", "quiet_hours", "username"})) << me;
  EXPECT_EQ(j.value("username", ""), "bob");
  EXPECT_EQ(j.value("display_name", ""), "Bob");
  EXPECT_EQ(j.value("is_admin", true), false);
  EXPECT_EQ(j["id"], r.json()["user"]["id"]);

  auto cookie = session_cookie(r);
  ASSERT_FALSE(cookie.empty()) << r;
  auto by_cookie = me_with_cookie(cookie);
  ASSERT_STATUS(by_cookie, 200);
  EXPECT_EQ(by_cookie.json().value("username", ""), "bob");
  // Among other cookies, as a browser sends them.
  EXPECT_STATUS(me_with_cookie("theme=dark; " + cookie + "; lang=en"), 200);
}

TEST_F(accounts_test, WithoutCredentialsMeIsUnauthorized) {
  EXPECT_ERROR(srv.http().get(test_server::api("/me")), 401, "unauthorized");
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), "0123456789abcdef0123456789abcdef0123456789abcdef"), 401,
               "unauthorized");
}

TEST_F(accounts_test, LogoutEndsThatSessionAtOnceAndOnlyThatOne) {
  auto first = login("bob", password_for("bob"));
  auto second = login("bob", password_for("bob"));
  ASSERT_STATUS(first, 201);
  ASSERT_STATUS(second, 201);
  auto t1 = first.json()["token"].get<std::string>();
  auto t2 = second.json()["token"].get<std::string>();
  ASSERT_STATUS(srv.http().get(test_server::api("/me"), t1), 200);

  auto out = srv.http().del(test_server::api("/sessions/current"), t1);
  EXPECT_STATUS(out, 204);
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), t1), 401, "unauthorized");
  EXPECT_ERROR(me_with_cookie(session_cookie(first)), 401, "unauthorized");
  EXPECT_ERROR(srv.http().del(test_server::api("/sessions/current"), t1), 401, "unauthorized");
  // The other login of the same user goes on working.
  EXPECT_STATUS(srv.http().get(test_server::api("/me"), t2), 200);
}

TEST_F(accounts_test, LogoutWithTheCookieEndsTheSession) {
  auto r = login("alice", password_for("alice"));
  ASSERT_STATUS(r, 201);
  auto cookie = session_cookie(r);
  ASSERT_FALSE(cookie.empty());
  auto out = srv.http().request(http::verb::delete_, test_server::api("/sessions/current"), std::nullopt,
                                {{}, {{"Cookie", cookie}}});
  EXPECT_STATUS(out, 204);
  EXPECT_ERROR(me_with_cookie(cookie), 401, "unauthorized");
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), r.json()["token"].get<std::string>()), 401, "unauthorized");
}

class login_limit_test : public accounts_test {
 protected:
  login_limit_test() { login_per_minute = 5; }
};

TEST_F(login_limit_test, RepeatedLoginsAreRateLimitedWithRetryAfter) {
  http_response limited;
  int attempts = 0;
  for (; attempts < 30; ++attempts) {
    auto r = login("alice", "wrong-password-" + std::to_string(attempts));
    if (r.status == 429) {
      limited = r;
      break;
    }
    ASSERT_STATUS(r, 401);
  }
  ASSERT_EQ(limited.status, 429) << "no 429 after " << attempts << " failed logins";
  EXPECT_LE(attempts, 10) << "the limit was set to 5 a minute";
  EXPECT_ERROR(limited, 429, "rate_limited");
  auto err = limited.json()["error"];
  ASSERT_TRUE(err.contains("retry_after_ms")) << limited;
  EXPECT_TRUE(err["retry_after_ms"].is_number_integer()) << limited;
  EXPECT_GT(err["retry_after_ms"].get<std::int64_t>(), 0) << limited;
  EXPECT_LE(err["retry_after_ms"].get<std::int64_t>(), 60000) << limited;
  // While limited, even the right password is refused: guessing gains nothing.
  EXPECT_ERROR(login("alice", password_for("alice")), 429, "rate_limited");
  // The limit is on logins, not on sessions already made.
  EXPECT_STATUS(srv.http().get("/healthz"), 200);
}

}  // namespace
}  // namespace peerchat::test
