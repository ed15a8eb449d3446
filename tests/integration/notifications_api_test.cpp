// SPDX-License-Identifier: MIT
// Notification settings over HTTP: per-group levels and mutes, quiet hours, push subscriptions
// (create, update, list, delete, validation, logout).
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

// base64url of a 65-byte uncompressed P-256 point (0x04 …) and of a 16-byte auth secret.
const std::string p256dh = "BA" + std::string(85, 'A');
const std::string auth = std::string(22, 'A');

json subscription(std::string const& endpoint, std::string const& key = p256dh, std::string const& secret = auth) {
  return {{"endpoint", endpoint}, {"keys", {{"p256dh", key}, {"auth", secret}}}};
}

class notifications_api_test : public coaches_test {
 protected:
  http_response put(std::string const& path, json const& body, std::string const& who) {
    request_options o;
    o.token = srv.token(who);
    return srv.http().request(http::verb::put, test_server::api(path), body, o);
  }
  http_response subscribe(std::string const& who, json const& body) {
    return srv.http().post(test_server::api("/push/subscriptions"), body, srv.token(who));
  }
  json subscriptions(std::string const& who) {
    auto r = srv.http().get(test_server::api("/push/subscriptions"), srv.token(who));
    EXPECT_STATUS(r, 200);
    return r.json()["subscriptions"];
  }
  json group_entry(std::string const& who, std::int64_t g) {
    auto r = srv.http().get(test_server::api("/groups"), srv.token(who));
    EXPECT_STATUS(r, 200);
    auto body = r.json();
    for (auto const& e : body["groups"])
      if (e["id"] == g) return e;
    return nullptr;
  }
};

TEST_F(notifications_api_test, LevelAndMuteRoundTripAndShowInTheGroupList) {
  EXPECT_EQ(group_entry("bob", coaches)["notify"], (json{{"level", "all"}, {"muted_until", nullptr}})) << "the default";
  auto r = put("/groups/" + std::to_string(coaches) + "/notifications", {{"level", "mentions"}, {"muted_until", 1'900'000'000'000}}, "bob");
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json(), (json{{"level", "mentions"}, {"muted_until", 1'900'000'000'000}}));
  EXPECT_EQ(group_entry("bob", coaches)["notify"], r.json());
  EXPECT_EQ(group_entry("carol", coaches)["notify"]["level"], "all") << "a setting is one member's";
  r = put("/groups/" + std::to_string(coaches) + "/notifications", {{"level", "none"}}, "bob");
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(group_entry("bob", coaches)["notify"], (json{{"level", "none"}, {"muted_until", nullptr}}));
}

TEST_F(notifications_api_test, LevelsRefuseBadInputAndNonMembers) {
  auto path = "/groups/" + std::to_string(coaches) + "/notifications";
  EXPECT_ERROR(put(path, {{"level", "loud"}}, "bob"), 400, "bad_request");
  EXPECT_ERROR(put(path, {{"muted_until", 5}}, "bob"), 400, "bad_request");
  EXPECT_ERROR(put(path, {{"level", "all"}, {"muted_until", "soon"}}, "bob"), 400, "bad_request");
  EXPECT_ERROR(put(path, {{"level", "all"}}, "dave"), 404, "not_found");
  EXPECT_ERROR(put("/groups/999999/notifications", {{"level", "all"}}, "bob"), 404, "not_found");
}

TEST_F(notifications_api_test, QuietHoursRoundTripThroughMe) {
  auto me = srv.http().get(test_server::api("/me"), srv.token("bob"));
  ASSERT_STATUS(me, 200);
  EXPECT_TRUE(me.json().contains("quiet_hours"));
  EXPECT_TRUE(me.json()["quiet_hours"].is_null());
  json q{{"start", "22:00"}, {"end", "07:30"}, {"tz", "Europe/Berlin"}, {"allow_mentions", true}};
  auto r = put("/me/quiet-hours", q, "bob");
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json(), q);
  EXPECT_EQ(srv.http().get(test_server::api("/me"), srv.token("bob")).json()["quiet_hours"], q);
  EXPECT_TRUE(srv.http().get(test_server::api("/me"), srv.token("carol")).json()["quiet_hours"].is_null());
  request_options o;
  o.token = srv.token("bob");
  r = srv.http().request_raw(http::verb::put, test_server::api("/me/quiet-hours"), "null", o);
  ASSERT_STATUS(r, 200);
  EXPECT_TRUE(r.json().is_null());
  EXPECT_TRUE(srv.http().get(test_server::api("/me"), srv.token("bob")).json()["quiet_hours"].is_null());
}

TEST_F(notifications_api_test, QuietHoursRefuseUnknownZonesAndBadTimes) {
  auto q = [](std::string start, std::string end, std::string tz) {
    return json{{"start", start}, {"end", end}, {"tz", tz}, {"allow_mentions", false}};
  };
  EXPECT_ERROR(put("/me/quiet-hours", q("22:00", "07:00", "Mars/Olympus"), "bob"), 400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", q("22:00", "07:00", ""), "bob"), 400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", q("24:00", "07:00", "UTC"), "bob"), 400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", q("7:00", "08:00", "UTC"), "bob"), 400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", q("08:00", "08:00", "UTC"), "bob"), 400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", {{"start", "22:00"}, {"end", "07:00"}, {"tz", "UTC"}, {"allow_mentions", "yes"}}, "bob"),
               400, "bad_request");
  EXPECT_ERROR(put("/me/quiet-hours", json::array(), "bob"), 400, "bad_request");
  EXPECT_TRUE(srv.http().get(test_server::api("/me"), srv.token("bob")).json()["quiet_hours"].is_null());
}

TEST_F(notifications_api_test, SubscriptionCreateUpdateListDelete) {
  auto r = subscribe("bob", subscription("https://fcm.googleapis.com/fcm/send/abc"));
  ASSERT_STATUS(r, 201);
  auto id = r.json()["id"].get<std::int64_t>();
  auto again = subscription("https://fcm.googleapis.com/fcm/send/abc");
  again["device"] = "Firefox on Android";
  r = subscribe("bob", again);
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json()["id"], id) << "the same endpoint is the same subscription";
  auto list = subscriptions("bob");
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0]["endpoint"], "https://fcm.googleapis.com/fcm/send/abc");
  EXPECT_EQ(list[0]["device"], "Firefox on Android");
  EXPECT_EQ(list[0]["current"], true);
  EXPECT_TRUE(subscriptions("carol").empty());

  EXPECT_ERROR(srv.http().del(test_server::api("/push/subscriptions/" + std::to_string(id)), srv.token("carol")), 404,
               "not_found");
  EXPECT_EQ(subscriptions("bob").size(), 1u) << "someone else's delete changed nothing";
  EXPECT_STATUS(srv.http().del(test_server::api("/push/subscriptions/" + std::to_string(id)), srv.token("bob")), 204);
  EXPECT_TRUE(subscriptions("bob").empty());
  EXPECT_ERROR(srv.http().del(test_server::api("/push/subscriptions/" + std::to_string(id)), srv.token("bob")), 404,
               "not_found");
}

TEST_F(notifications_api_test, TheSameEndpointFromAnotherUserMovesToThem) {
  ASSERT_STATUS(subscribe("bob", subscription("https://push.example.com/one")), 201);
  ASSERT_STATUS(subscribe("carol", subscription("https://push.example.com/one")), 200);
  EXPECT_TRUE(subscriptions("bob").empty());
  EXPECT_EQ(subscriptions("carol").size(), 1u);
}

TEST_F(notifications_api_test, BadSubscriptionsAre400AndCostNothing) {
  for (auto endpoint : {"http://push.example.com/x", "ftp://push.example.com/x", "https://127.0.0.1/x",
                        "https://127.0.0.1:8443/x", "https://localhost/x", "https://push.localhost/x", "https://10.1.2.3/x",
                        "https://192.168.1.1/x", "https://172.16.0.1/x", "https://169.254.169.254/latest",
                        "https://[::1]/x", "https://[fe80::1]/x", "https://[fd00::1]/x", "https://[::ffff:127.0.0.1]/x",
                        "https://2130706433/x", "https://0x7f000001/x", "https://127.1/x", "https://user@push.example.com/x",
                        "https://push.example.com:99999/x", "https://intranet/x", "not a url", ""}) {
    SCOPED_TRACE(endpoint);
    EXPECT_ERROR(subscribe("bob", subscription(endpoint)), 400, "bad_request");
  }
  EXPECT_ERROR(subscribe("bob", subscription("https://push.example.com/" + std::string(2100, 'a'))), 400, "bad_request");
  EXPECT_ERROR(subscribe("bob", subscription("https://push.example.com/x", "BA" + std::string(84, 'A'))), 400, "bad_request");
  EXPECT_ERROR(subscribe("bob", subscription("https://push.example.com/x", "BQ" + std::string(85, 'A'))), 400, "bad_request");
  EXPECT_ERROR(subscribe("bob", subscription("https://push.example.com/x", p256dh, std::string(21, 'A'))), 400, "bad_request");
  EXPECT_ERROR(subscribe("bob", subscription("https://push.example.com/x", p256dh, std::string(20, '*'))), 400, "bad_request");
  EXPECT_ERROR(subscribe("bob", json{{"endpoint", "https://push.example.com/x"}}), 400, "bad_request");
  EXPECT_ERROR(srv.http().post(test_server::api("/push/subscriptions"), subscription("https://push.example.com/x")), 401,
               "unauthorized");
  EXPECT_TRUE(subscriptions("bob").empty());
  EXPECT_STATUS(subscribe("bob", subscription("https://8.8.8.8/x")), 201) << "a public IP literal is fine";
}

TEST_F(notifications_api_test, LoopbackNeedsTheTestFlag) {
  EXPECT_ERROR(subscribe("bob", subscription("http://127.0.0.1:9/push")), 400, "bad_request");
}

class notifications_loopback_test : public notifications_api_test {
  void configure(peerchat::config& c) override { c.push.allow_loopback = true; }
};

TEST_F(notifications_loopback_test, LoopbackIsAcceptedWithTheTestFlag) {
  EXPECT_STATUS(subscribe("bob", subscription("http://127.0.0.1:9/push/1")), 201);
  EXPECT_STATUS(subscribe("bob", subscription("https://127.0.0.1:9/push/2")), 201);
  EXPECT_ERROR(subscribe("bob", subscription("http://10.0.0.1:9/push/3")), 400, "bad_request");  // only 127.0.0.1
  EXPECT_ERROR(subscribe("bob", subscription("http://push.example.com/push/4")), 400, "bad_request");  // http only there
}

TEST_F(notifications_api_test, LogoutDeletesThatSessionsSubscriptionsOnly) {
  auto phone = srv.login("bob");  // one session…
  ASSERT_STATUS(srv.http().post(test_server::api("/push/subscriptions"), subscription("https://push.example.com/phone"), phone),
                201);
  auto laptop = srv.login("bob");  // …and another
  ASSERT_STATUS(srv.http().post(test_server::api("/push/subscriptions"), subscription("https://push.example.com/laptop"), laptop),
                201);
  EXPECT_STATUS(srv.http().del(test_server::api("/sessions/current"), phone), 204);
  auto left = subscriptions("bob");
  ASSERT_EQ(left.size(), 1u) << left;
  EXPECT_EQ(left[0]["endpoint"], "https://push.example.com/laptop");
}

TEST_F(notifications_api_test, SubscriptionsPerUserAreCapped) {
  for (int i = 0; i < 21; ++i)
    ASSERT_STATUS(subscribe("bob", subscription("https://push.example.com/" + std::to_string(i))), 201);
  auto list = subscriptions("bob");
  ASSERT_EQ(list.size(), 20u);
  for (auto const& s : list) EXPECT_NE(s["endpoint"], "https://push.example.com/0") << "the oldest is replaced";
}

TEST_F(notifications_api_test, AllCannotBeAUsername) {
  auto code = srv.create_invite("alice", coaches)["code"].get<std::string>();
  auto r = srv.http().post(test_server::api("/invites/" + code + "/accept"),
                           {{"username", "all"}, {"display_name", "Everyone"}, {"password", "a-long-password-1"}});
  EXPECT_ERROR(r, 400, "bad_request");
  EXPECT_STATUS(srv.http().get(test_server::api("/invites/" + code)), 200) << "the refused accept used nothing";
}

}  // namespace
}  // namespace peerchat::test
