// SPDX-License-Identifier: MIT
// Self-service on one's own account, over the real server: changing the password (the other
// sessions end, their sockets close 4001) and devices (each login's browser, ending one
// session or all others).
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

constexpr char android_chrome[] =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
    "Safari/537.36";
constexpr char iphone_safari[] =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
    "Mobile/15E148 Safari/604.1";
constexpr char windows_firefox[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

json push_subscription(std::string const& endpoint) {
  return {{"endpoint", endpoint}, {"keys", {{"p256dh", "BA" + std::string(85, 'A')}, {"auth", std::string(22, 'A')}}}};
}

class self_service_test : public coaches_test {
 protected:
  // Logs `who` in from a browser that sends `user_agent`; returns the token.
  std::string login_from(std::string const& who, std::string const& user_agent) {
    request_options o;
    o.headers.emplace_back("User-Agent", user_agent);
    auto r = srv.http().request(http::verb::post, test_server::api("/sessions"),
                                json{{"username", who}, {"password", srv.user(who).password}}, o);
    EXPECT_STATUS(r, 201);
    return r.json().value("token", "");
  }
  http_response change_password(std::string const& token, json const& body) {
    return srv.http().post(test_server::api("/me/password"), body, token);
  }
  json sessions(std::string const& token) {
    auto r = srv.http().get(test_server::api("/me/sessions"), token);
    EXPECT_STATUS(r, 200);
    return r.json()["sessions"];
  }
  // The id of the session `token` belongs to, as its own list says.
  std::int64_t session_id_of(std::string const& token) {
    for (auto const& s : sessions(token))
      if (s.value("current", false)) return s["id"].get<std::int64_t>();
    ADD_FAILURE() << "no current session in the list";
    return 0;
  }
  int me_status(std::string const& token) { return srv.http().get(test_server::api("/me"), token).status; }
  std::unique_ptr<ws_client> socket_with(std::string const& token) {
    auto ws = std::make_unique<ws_client>();
    EXPECT_TRUE(ws->connect(srv.port())) << ws->error();
    EXPECT_TRUE(ws->hello(token).has_value());
    return ws;
  }
};

// ---------------------------------------------------------------------------------------
// Password

TEST_F(self_service_test, ChangingThePasswordKeepsThisSessionAndEndsEveryOtherWithItsSocketAndPushes) {
  std::string laptop = login_from("bob", windows_firefox);
  std::string phone = login_from("bob", android_chrome);
  ASSERT_STATUS(srv.http().post(test_server::api("/push/subscriptions"), push_subscription("https://push.example.com/phone"), phone), 201);
  ASSERT_STATUS(srv.http().post(test_server::api("/push/subscriptions"), push_subscription("https://push.example.com/laptop"), laptop), 201);
  auto phone_socket = socket_with(phone);

  std::string fresh = "a brand new password";
  EXPECT_STATUS(change_password(laptop, {{"current_password", srv.user("bob").password}, {"new_password", fresh}}), 204);

  auto end = phone_socket->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed);
  EXPECT_EQ(end.code, 4001) << end.reason;
  EXPECT_EQ(me_status(phone), 401) << "the other session ended";
  EXPECT_EQ(me_status(srv.token("bob")), 401) << "the fixture's session ended too";
  EXPECT_EQ(me_status(laptop), 200) << "the session that changed it stays";
  auto left = srv.http().get(test_server::api("/push/subscriptions"), laptop).json()["subscriptions"];
  ASSERT_EQ(left.size(), 1u) << left;
  EXPECT_EQ(left[0]["endpoint"], "https://push.example.com/laptop") << "the phone's subscription went with its session";

  auto old_login = srv.http().post(test_server::api("/sessions"), {{"username", "bob"}, {"password", srv.user("bob").password}});
  EXPECT_ERROR(old_login, 401, "unauthorized");
  EXPECT_STATUS(srv.http().post(test_server::api("/sessions"), {{"username", "bob"}, {"password", fresh}}), 201);
  EXPECT_EQ(me_status(srv.token("carol")), 200) << "other people's sessions are untouched";
}

TEST_F(self_service_test, AWrongCurrentPasswordIsForbiddenAndChangesNothing) {
  std::string phone = login_from("bob", android_chrome);
  auto r = change_password(srv.token("bob"), {{"current_password", "not bobs password"}, {"new_password", "a brand new password"}});
  EXPECT_ERROR(r, 403, "forbidden");
  EXPECT_EQ(me_status(phone), 200) << "no session ended";
  EXPECT_STATUS(srv.http().post(test_server::api("/sessions"), {{"username", "bob"}, {"password", srv.user("bob").password}}), 201);
}

TEST_F(self_service_test, BadPasswordInputIsABadRequestAndNoAuthIsUnauthorized) {
  std::string current = srv.user("bob").password;
  std::string token = srv.token("bob");
  EXPECT_ERROR(change_password(token, {{"current_password", current}, {"new_password", "too short"}}), 400, "bad_request");
  EXPECT_ERROR(change_password(token, {{"current_password", current}, {"new_password", std::string(1025, 'x')}}), 400, "bad_request");
  EXPECT_ERROR(change_password(token, {{"current_password", current}}), 400, "bad_request");
  EXPECT_ERROR(change_password(token, {{"new_password", "a brand new password"}}), 400, "bad_request");
  EXPECT_ERROR(change_password(token, {{"current_password", 12}, {"new_password", "a brand new password"}}), 400, "bad_request");
  EXPECT_ERROR(change_password(token, {{"current_password", std::string(1025, 'x')}, {"new_password", "a brand new password"}}), 400,
               "bad_request");
  EXPECT_ERROR(srv.http().request_raw(http::verb::post, test_server::api("/me/password"), "{not json", {token, {}}), 400,
               "bad_request");
  EXPECT_ERROR(change_password("", {{"current_password", current}, {"new_password", "a brand new password"}}), 401, "unauthorized");
  // Exactly 10 bytes is enough, and the old one stopped working.
  EXPECT_STATUS(change_password(token, {{"current_password", current}, {"new_password", "0123456789"}}), 204);
  EXPECT_ERROR(change_password(token, {{"current_password", current}, {"new_password", "0123456789"}}), 403, "forbidden");
}

class password_limit_test : public self_service_test {
 protected:
  void configure(peerchat::config& c) override { c.limits.login_per_minute = 3; }
};

TEST_F(password_limit_test, GuessingTheCurrentPasswordIsRateLimitedLikeLogins) {
  std::string token = srv.token("bob");
  json wrong{{"current_password", "guess number one"}, {"new_password", "a brand new password"}};
  int forbidden = 0;
  http_response last;
  for (int i = 0; i < 10; ++i) {
    last = change_password(token, wrong);
    if (last.status != 403) break;
    ++forbidden;
  }
  EXPECT_EQ(forbidden, 3) << "the per-(user, address) budget is login_per_minute";
  EXPECT_ERROR(last, 429, "rate_limited");
  EXPECT_GT(last.json()["error"].value("retry_after_ms", 0), 0) << last;
  // The right password waits too: the budget counts attempts, not failures.
  EXPECT_ERROR(change_password(token, {{"current_password", srv.user("bob").password}, {"new_password", "a brand new password"}}),
               429, "rate_limited");
}

// ---------------------------------------------------------------------------------------
// Devices

TEST_F(self_service_test, TheListShowsEachLoginsBrowserNewestFirstAndMarksThisOne) {
  std::string phone = login_from("dave", android_chrome);
  std::string iphone = login_from("dave", iphone_safari);
  auto list = sessions(iphone);
  ASSERT_GE(list.size(), 2u) << list;
  // Newest first: the iPhone, then the Android phone (the fixture's own login is older).
  EXPECT_EQ(list[0]["device"], "Safari on iPhone") << list;
  EXPECT_EQ(list[0]["user_agent"], iphone_safari);
  EXPECT_EQ(list[0]["current"], true);
  EXPECT_EQ(list[1]["device"], "Chrome on Android") << list;
  EXPECT_EQ(list[1]["current"], false);
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto const& s = list[i];
    EXPECT_TRUE(s["id"].is_number_integer()) << s;
    EXPECT_GT(s["created_at"].get<std::int64_t>(), 1'600'000'000'000) << s;
    EXPECT_GE(s["last_seen_at"].get<std::int64_t>(), s["created_at"].get<std::int64_t>()) << s;
    if (i > 0) {
      EXPECT_GE(list[i - 1]["created_at"].get<std::int64_t>(), s["created_at"].get<std::int64_t>());
    }
    for (auto const& other : sessions(srv.token("bob"))) EXPECT_NE(other["id"], s["id"]) << "bob sees only his own";
  }
  // The same list from the other device marks that one.
  auto from_phone = sessions(phone);
  ASSERT_EQ(from_phone.size(), list.size());
  EXPECT_EQ(from_phone[1]["current"], true);
  EXPECT_EQ(from_phone[0]["current"], false);
  EXPECT_ERROR(srv.http().get(test_server::api("/me/sessions")), 401, "unauthorized");
}

TEST_F(self_service_test, AnAccountMadeThroughAnInviteRecordsItsBrowserToo) {
  auto invite = srv.create_invite("alice", coaches);
  request_options o;
  o.headers.emplace_back("User-Agent", windows_firefox);
  auto r = srv.http().request(http::verb::post, test_server::api("/invites/" + invite["code"].get<std::string>() + "/accept"),
                              json{{"username", "erin"}, {"display_name", "Erin"}, {"password", "erin-password-1"}}, o);
  ASSERT_STATUS(r, 201);
  auto list = sessions(r.json()["token"].get<std::string>());
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0]["device"], "Firefox on Windows");
  EXPECT_EQ(list[0]["current"], true);
}

TEST_F(self_service_test, EndingASessionClosesItsSocketWith4001AndItsTokenStops) {
  std::string phone = login_from("bob", android_chrome);
  std::string laptop = login_from("bob", windows_firefox);
  ASSERT_STATUS(srv.http().post(test_server::api("/push/subscriptions"), push_subscription("https://push.example.com/phone"), phone), 201);
  auto phone_socket = socket_with(phone);
  auto laptop_socket = socket_with(laptop);
  std::int64_t phone_id = session_id_of(phone);

  EXPECT_STATUS(srv.http().del(test_server::api("/me/sessions/" + std::to_string(phone_id)), laptop), 204);
  auto end = phone_socket->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed);
  EXPECT_EQ(end.code, 4001) << end.reason;
  EXPECT_EQ(me_status(phone), 401);
  EXPECT_EQ(me_status(laptop), 200);
  EXPECT_TRUE(srv.http().get(test_server::api("/push/subscriptions"), laptop).json()["subscriptions"].empty())
      << "the ended session's push subscription is gone";
  for (auto const& s : sessions(laptop)) EXPECT_NE(s["id"], phone_id) << "no longer listed";
  // The laptop's socket is still open: it answers a ping.
  EXPECT_TRUE(laptop_socket->frames_before_pong().has_value()) << laptop_socket->error();
  // Gone: a second removal names nothing.
  EXPECT_ERROR(srv.http().del(test_server::api("/me/sessions/" + std::to_string(phone_id)), laptop), 404, "not_found");
}

TEST_F(self_service_test, AnotherUsersSessionIsNotFoundAndStaysAlive) {
  std::string bobs = srv.token("bob");
  std::int64_t bob_session = session_id_of(bobs);
  EXPECT_ERROR(srv.http().del(test_server::api("/me/sessions/" + std::to_string(bob_session)), srv.token("carol")), 404,
               "not_found");
  EXPECT_EQ(me_status(bobs), 200);
  for (std::string bad : {"0", "-1", "abc", "99999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_ERROR(srv.http().del(test_server::api("/me/sessions/" + bad), srv.token("carol")), 404, "not_found");
  }
  EXPECT_ERROR(srv.http().del(test_server::api("/me/sessions/" + std::to_string(bob_session))), 401, "unauthorized");
}

TEST_F(self_service_test, EndingAllOthersKeepsOnlyThisSession) {
  std::string a = login_from("carol", android_chrome);
  std::string b = login_from("carol", iphone_safari);
  std::string c = login_from("carol", windows_firefox);
  auto socket_a = socket_with(a);
  EXPECT_STATUS(srv.http().del(test_server::api("/me/sessions"), b), 204);
  EXPECT_EQ(socket_a->read_close(5s).code, 4001);
  auto list = sessions(b);
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0]["current"], true);
  EXPECT_EQ(list[0]["device"], "Safari on iPhone");
  EXPECT_EQ(me_status(a), 401);
  EXPECT_EQ(me_status(c), 401);
  EXPECT_EQ(me_status(b), 200);
  EXPECT_EQ(me_status(srv.token("bob")), 200) << "only carol's sessions";
}

TEST_F(self_service_test, EndingTheCurrentSessionIsALogout) {
  std::string phone = login_from("bob", android_chrome);
  auto r = srv.http().del(test_server::api("/me/sessions/" + std::to_string(session_id_of(phone))), phone);
  EXPECT_STATUS(r, 204);
  EXPECT_EQ(me_status(phone), 401);
}

}  // namespace
}  // namespace peerchat::test
