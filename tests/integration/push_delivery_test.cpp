// SPDX-License-Identifier: MIT
// Web Push end to end: the real binary (--push-allow-loopback) on a real SQLite file pushes to
// the local push service (tests/push/push_service.py), which verifies every push with code we
// did not write (Python's cryptography: the VAPID JWT, the aes128gcm body) and records it.
// The cases are the contract's "who is pushed" rules, the push service's answers (410, 429,
// silence), sessions ending, payload shape and size, deletions and /metrics.
//
// "Nobody else was pushed" is proven the way the dispatcher orders its work: every check ends
// by waiting for a push that was queued after the one that must not exist (a later message,
// or the same message to a control subscriber), then looks at everything recorded.
#include "support/binary_server.hpp"
#include "support/push_service.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "HH:MM" in UTC, `offset` from now.
std::string utc_clock(std::chrono::minutes offset) {
  auto t = std::chrono::system_clock::now() + offset;
  auto minutes = std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count() % (24 * 60);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
  return buf;
}

class push_delivery_test : public testing::Test {
 protected:
  // Starts the push service and the server (with `extra` flags), makes alice (admin, owner of
  // "coaches"), bob, carol and erin (members) and logs them in.
  void start(std::vector<std::string> extra = {}) {
    ASSERT_TRUE(push.start(dir.path())) << push.log();
    for (auto const* name : {"alice", "bob", "carol", "erin"})
      create_user_cli(data, name, name, password_for(name), std::string(name) == "alice");
    std::vector<std::string> args{"--push-allow-loopback", "--metrics-token", test_metrics_token,
                                  // The public URL here is http://, which RFC 8292 does not accept as `sub`.
                                  "--push-subject", "mailto:ops@example.org",
                                  // Every client here is 127.0.0.1: no limit may get in the way.
                                  "--http-rate", "100000", "--send-rate", "1000", "--send-burst", "1000",
                                  "--login-rate", "1000", "--accept-rate", "1000"};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<binary_server>(data, args);
    ASSERT_TRUE(server->start()) << server->log();
    auto key = server->http().get(test_server::api("/push/key"));
    ASSERT_STATUS(key, 200);
    vapid_key = key.json().value("vapid_public_key", "");
    ASSERT_EQ(vapid_key.size(), 87u) << key;  // base64url of a 65-byte uncompressed point
    push.expect_key(vapid_key);
    for (auto const* name : {"alice", "bob", "carol", "erin"}) tokens[name] = login(*server, name);
    group = create_group(*server, tokens["alice"], "coaches");
    ASSERT_NE(group, 0);
    for (auto const* name : {"bob", "carol", "erin"}) join(name, group);
  }

  void join(std::string const& name, std::int64_t g) {
    auto invite = http().post(test_server::api("/groups/" + std::to_string(g) + "/invites"), json::object(),
                              tokens["alice"]);
    ASSERT_STATUS(invite, 201);
    auto r = http().post(test_server::api("/invites/" + invite.json()["code"].get<std::string>() + "/accept"),
                         json::object(), tokens[name]);
    ASSERT_STATUS(r, 201);
  }

  http_client http() const { return server->http(); }

  // A subscription of `name`'s browser, registered with the server. Its service id.
  std::string subscribe(std::string const& name) {
    auto keys = push.subscribe();
    auto body = keys.as_json();
    body["device"] = name + "'s phone";
    auto r = http().post(test_server::api("/push/subscriptions"), body, tokens[name]);
    EXPECT_STATUS(r, 201);
    server_ids[keys.id] = r.json().value("id", std::int64_t{0});
    return keys.id;
  }

  // Sends as `name` over HTTP; the message's seq.
  std::int64_t send(std::string const& name, std::string const& body, json extra = json::object(),
                    std::int64_t g = 0) {
    extra["body"] = body;
    extra["client_msg_id"] = "push-" + std::to_string(++sent);
    auto r = http().post(test_server::api("/groups/" + std::to_string(g ? g : group) + "/messages"), extra,
                         tokens[name]);
    EXPECT_STATUS(r, 201);
    return r.json().value("seq", std::int64_t{-1});
  }

  void put_level(std::string const& name, json const& setting) {
    auto r = http().request(http::verb::put, test_server::api("/groups/" + std::to_string(group) + "/notifications"),
                            setting, {.token = tokens[name]});
    ASSERT_STATUS(r, 200);
  }

  // The decrypted payloads pushed to `sub` (all of them, in arrival order), after checking
  // that every push passed every check of the push service.
  std::vector<json> payloads(std::string const& sub) {
    std::vector<json> out;
    for (auto const& p : push.received(sub)) {
      EXPECT_TRUE(p["errors"].empty()) << p.dump();
      out.push_back(p["payload"]);
    }
    return out;
  }

  std::vector<std::int64_t> seqs(std::string const& sub) { return pushed_seqs(push.received(sub)); }

  // The payload pushed to `sub` for `seq`, waiting for it (bounded); null when none came.
  json payload_for(std::string const& sub, std::int64_t seq) {
    if (!push.wait_for_seq(sub, seq)) return nullptr;
    for (auto const& p : payloads(sub))
      if (p.is_object() && p.value("seq", std::int64_t{-1}) == seq && p.value("type", "") == "message") return p;
    return nullptr;
  }

  std::string metrics() {
    auto r = http().get("/metrics", test_metrics_token);
    EXPECT_STATUS(r, 200);
    return r.body;
  }

  temp_dir dir;
  std::filesystem::path data = dir.path() / "data";
  local_push_service push;
  std::unique_ptr<binary_server> server;
  std::string vapid_key;
  std::map<std::string, std::string> tokens;
  std::map<std::string, std::int64_t> server_ids;  // service id → the server's subscription id
  std::int64_t group = 0;
  int sent = 0;
};

TEST_F(push_delivery_test, a_message_reaches_every_other_member_verified_and_decrypted_never_the_sender) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto alice = subscribe("alice");
  auto bob = subscribe("bob");
  auto bob_laptop = subscribe("bob");
  auto s1 = send("alice", "Who has the key to the gym?");
  auto p = payload_for(bob, s1);
  ASSERT_TRUE(p.is_object()) << push.log();
  EXPECT_EQ(p["type"], "message");
  EXPECT_EQ(p["group_id"], group);
  EXPECT_EQ(p["group_name"], "coaches");
  EXPECT_EQ(p["body"], "Who has the key to the gym?");
  EXPECT_EQ(p["sender"]["display_name"], "alice");
  EXPECT_EQ(p["mention"], false);
  EXPECT_EQ(p["truncated"], false);
  EXPECT_TRUE(payload_for(bob_laptop, s1).is_object()) << "every subscription of a member is pushed";

  auto s2 = send("bob", "I do");
  ASSERT_TRUE(payload_for(alice, s2).is_object());
  // alice's push for s1 would have been queued before bob's s2: she never got her own message.
  EXPECT_EQ(seqs(alice), std::vector<std::int64_t>{s2});
  EXPECT_EQ(seqs(bob), std::vector<std::int64_t>{s1});

  for (auto const& r : push.received()) {
    EXPECT_TRUE(r["errors"].empty()) << r.dump();
    EXPECT_EQ(r["encoding"], "aes128gcm");
    EXPECT_FALSE(r["ttl"].is_null());
    EXPECT_FALSE(r["topic"].is_null()) << "one Topic per group";
    EXPECT_EQ(r["topic"], push.received()[0]["topic"]) << "the same group, the same Topic";
    EXPECT_EQ(r["topic"].get<std::string>().size(), 32u) << "a keyed hash, not the group id";
    EXPECT_EQ(r["claims"]["aud"], "http://127.0.0.1:" + std::to_string(push.port()));
  }
}

TEST_F(push_delivery_test, a_fresh_focus_on_the_group_silences_it_a_stale_or_cleared_one_does_not) {
  ASSERT_NO_FATAL_FAILURE(start({"--focus-seconds", "2"}));
  auto bob = subscribe("bob");
  auto carol = subscribe("carol");
  auto ws = std::make_unique<ws_client>();
  ASSERT_TRUE(ws->connect(server->port()));
  ASSERT_TRUE(ws->hello(tokens["bob"]));
  ASSERT_TRUE(ws->send_json({{"type", "focus"}, {"group_id", group}}));
  ASSERT_TRUE(ws->frames_before_pong());  // the server has read the focus frame
  auto focused = send("alice", "bob is reading this");
  ASSERT_TRUE(payload_for(carol, focused).is_object()) << "carol, without focus, is pushed";

  // No sleep: alice writes until bob's focus has gone stale and a push reaches him (bounded).
  std::int64_t first_pushed = -1;
  bool stale = wait_until(
      [&] {
        send("alice", "still there?");
        auto got = seqs(bob);
        if (got.empty()) return false;
        first_pushed = got.front();
        return true;
      },
      15s, 250ms);
  ASSERT_TRUE(stale) << "bob's focus never went stale";
  EXPECT_GT(first_pushed, focused) << "the message sent while bob's focus was fresh was pushed to him";

  // Focus again, then null (the app went to the background): pushed again at once.
  ASSERT_TRUE(ws->send_json({{"type", "focus"}, {"group_id", group}}));
  ASSERT_TRUE(ws->send_json({{"type", "focus"}, {"group_id", nullptr}}));
  ASSERT_TRUE(ws->frames_before_pong());
  auto hidden = send("alice", "the app is in the background");
  EXPECT_TRUE(payload_for(bob, hidden).is_object());
}

TEST_F(push_delivery_test, levels_mentions_and_all_follow_the_contract) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto alice = subscribe("alice");
  auto bob = subscribe("bob");
  auto carol = subscribe("carol");
  auto erin = subscribe("erin");
  put_level("bob", {{"level", "mentions"}});
  put_level("carol", {{"level", "none"}});

  auto plain = send("alice", "training moved to 7pm");
  auto named = send("alice", "@bob, can you open the hall?");
  // A question counts as a mention (issue 14): bob, at level mentions, hears of it.
  auto question = send("alice", "who can coach the under-12s on Saturday?", {{"question", true}});
  auto all_by_owner = send("alice", "@all season starts Monday");
  auto all_by_member = send("erin", "@all who wants pizza");  // plain text from a member
  ASSERT_TRUE(payload_for(alice, all_by_member).is_object());
  EXPECT_EQ(payload_for(alice, all_by_member)["mention"], false) << "@all from a plain member mentions nobody";
  ASSERT_TRUE(payload_for(erin, all_by_owner).is_object());
  EXPECT_EQ(payload_for(erin, all_by_owner)["mention"], true);
  EXPECT_EQ(payload_for(erin, plain)["mention"], false);

  // bob (mentions): his name (trailing comma not part of it), a question, @all by the owner.
  EXPECT_EQ(seqs(bob), (std::vector<std::int64_t>{named, question, all_by_owner}));
  for (auto const& p : payloads(bob)) EXPECT_EQ(p["mention"], true) << p.dump();
  EXPECT_TRUE(seqs(carol).empty()) << "level none: nothing";

  auto messages = http().get(test_server::api("/groups/" + std::to_string(group) + "/messages?limit=10"),
                             tokens["bob"]);
  ASSERT_STATUS(messages, 200);
  auto const page = messages.json();  // a range-for over page["messages"] of a temporary would dangle
  for (auto const& m : page["messages"]) {
    if (m["seq"] == named) EXPECT_EQ(m["mentions"].size(), 1u) << m.dump();
    if (m["seq"] == all_by_owner) EXPECT_GE(m["mentions"].size(), 3u) << "every member: " << m.dump();
    if (m["seq"] == all_by_member) EXPECT_TRUE(m["mentions"].empty()) << m.dump();
  }
}

TEST_F(push_delivery_test, a_mute_silences_everything_until_it_ends) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto erin = subscribe("erin");
  put_level("bob", {{"level", "all"}, {"muted_until", now_ms() + 3'600'000}});
  auto muted = send("alice", "@bob even a mention stays silent");
  ASSERT_TRUE(payload_for(erin, muted).is_object());
  put_level("bob", {{"level", "all"}, {"muted_until", nullptr}});
  auto unmuted = send("alice", "back");
  ASSERT_TRUE(payload_for(bob, unmuted).is_object());
  EXPECT_EQ(seqs(bob), std::vector<std::int64_t>{unmuted});
}

TEST_F(push_delivery_test, quiet_hours_covering_now_silence_all_but_allowed_mentions) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto erin = subscribe("erin");
  json quiet{{"start", utc_clock(-60min)}, {"end", utc_clock(60min)}, {"tz", "UTC"}, {"allow_mentions", false}};
  auto r = http().request(http::verb::put, test_server::api("/me/quiet-hours"), quiet, {.token = tokens["bob"]});
  ASSERT_STATUS(r, 200);
  auto plain1 = send("alice", "quiet please");
  auto mention1 = send("alice", "@bob not even this");
  ASSERT_TRUE(payload_for(erin, mention1).is_object());

  quiet["allow_mentions"] = true;
  r = http().request(http::verb::put, test_server::api("/me/quiet-hours"), quiet, {.token = tokens["bob"]});
  ASSERT_STATUS(r, 200);
  auto plain2 = send("alice", "still quiet");
  auto mention2 = send("alice", "@bob this one buzzes");
  ASSERT_TRUE(payload_for(bob, mention2).is_object());
  ASSERT_TRUE(payload_for(erin, mention2).is_object());

  r = http().request(http::verb::put, test_server::api("/me/quiet-hours"), json(nullptr), {.token = tokens["bob"]});
  ASSERT_STATUS(r, 200);
  auto after = send("alice", "quiet hours over");
  ASSERT_TRUE(payload_for(bob, after).is_object());
  EXPECT_EQ(seqs(bob), (std::vector<std::int64_t>{mention2, after}))
      << "plain " << plain1 << "/" << plain2 << ", mention " << mention1;
}

TEST_F(push_delivery_test, a_410_deletes_the_subscription) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto kept = subscribe("bob");
  push.script(bob, json::array({{{"status", 410}}}));
  auto s = send("alice", "anyone?");
  ASSERT_EQ(push.wait_for(bob, 1).size(), 1u);
  ASSERT_TRUE(payload_for(kept, s).is_object());
  auto gone = server_ids[bob];
  bool removed = wait_until(
      [&] {
        auto r = http().get(test_server::api("/push/subscriptions"), tokens["bob"]);
        if (r.status != 200) return false;
        auto list = r.json().value("subscriptions", json::array());
        return std::none_of(list.begin(), list.end(), [&](json const& x) { return x["id"] == gone; }) &&
               list.size() == 1;
      },
      10s, 20ms);
  EXPECT_TRUE(removed) << http().get(test_server::api("/push/subscriptions"), tokens["bob"]);
  auto later = send("alice", "again");
  ASSERT_TRUE(payload_for(kept, later).is_object());
  EXPECT_EQ(push.received(bob).size(), 1u) << "a gone subscription is never pushed again";
}

TEST_F(push_delivery_test, a_429_with_retry_after_is_retried_and_then_delivered) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  push.script(bob, json::array({{{"status", 429}, {"retry_after", 1}}}));
  auto s = send("alice", "retry me");
  auto got = push.wait_for(bob, 2, 20s);
  ASSERT_EQ(got.size(), 2u) << "not retried";
  EXPECT_EQ(got[0]["status"], 429);
  EXPECT_EQ(got[1]["status"], 201);
  EXPECT_EQ(got[1]["payload"]["seq"], s);
  EXPECT_GE(got[1]["at"].get<double>() - got[0]["at"].get<double>(), 0.9) << "Retry-After: 1 not honoured";
  EXPECT_TRUE(wait_until([&] { return metric(metrics(), "peerchat_push_retried_total") >= 1; }, 5s))
      << metrics();
}

TEST_F(push_delivery_test, a_push_service_that_never_answers_delays_no_delivery_and_no_ack) {
  ASSERT_NO_FATAL_FAILURE(start({"--push-in-flight", "4", "--push-timeout", "30"}));
  auto bob = subscribe("bob");
  push.script(bob, json::array(), {{"hang", true}});
  auto alice_ws = std::make_unique<ws_client>();
  auto bob_ws = std::make_unique<ws_client>();
  ASSERT_TRUE(alice_ws->connect(server->port()) && alice_ws->hello(tokens["alice"]));
  ASSERT_TRUE(bob_ws->connect(server->port()) && bob_ws->hello(tokens["bob"]));
  auto acked = send_in_batches(*alice_ws, group, 50, "while the push service hangs", "hang-");
  EXPECT_EQ(acked, 50);
  auto events = read_events(*bob_ws, group, 50, 10s);
  EXPECT_EQ(events.size(), 50u);
  // The pushes are stuck, at most --push-in-flight of them at once.
  EXPECT_TRUE(wait_until([&] { return push.stats()["hanging"].get<int>() >= 1; }, 10s));
  EXPECT_LE(push.stats()["max_in_flight"].get<int>(), 4) << push.stats().dump();
}

TEST_F(push_delivery_test, logging_out_deletes_the_sessions_subscriptions) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto erin = subscribe("erin");
  auto r = http().del(test_server::api("/sessions/current"), tokens["bob"]);
  ASSERT_STATUS(r, 204);
  auto s = send("alice", "bob logged out");
  ASSERT_TRUE(payload_for(erin, s).is_object());
  EXPECT_TRUE(push.received(bob).empty()) << "a logged-out browser was pushed";
  tokens["bob"] = login(*server, "bob");
  auto list = http().get(test_server::api("/push/subscriptions"), tokens["bob"]);
  ASSERT_STATUS(list, 200);
  EXPECT_TRUE(list.json().value("subscriptions", json::array({1})).empty()) << list;
}

TEST_F(push_delivery_test, every_payload_has_one_size_and_a_long_body_is_truncated) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto shortest = send("alice", "ok");
  auto longest = send("alice", repeat("ü long message ", 250));  // ~4 KB of UTF-8
  auto mention = send("alice", "@bob " + repeat("x", 300));
  auto p = payload_for(bob, longest);
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(p["truncated"], true);
  auto body = p["body"].get<std::string>();
  EXPECT_LT(body.size(), 4000u);
  EXPECT_EQ(repeat("ü long message ", 250).rfind(body.substr(0, 60), 0), 0u) << "the body's start is kept";
  EXPECT_EQ(payload_for(bob, shortest)["truncated"], false);
  ASSERT_TRUE(payload_for(bob, mention).is_object());
  auto r = http().del(test_server::api("/groups/" + std::to_string(group) + "/messages/" + std::to_string(shortest)),
                      tokens["alice"]);
  ASSERT_STATUS(r, 204);
  auto pushes = push.wait_for(bob, 4);
  ASSERT_EQ(pushes.size(), 4u);
  std::set<std::int64_t> sizes;
  for (auto const& x : pushes) sizes.insert(x["body_length"].get<std::int64_t>());
  EXPECT_EQ(sizes.size(), 1u) << "encrypted lengths differ: " << json(sizes).dump();
  EXPECT_LT(*sizes.begin(), 3000) << "keep payloads under Firefox for Android's ~3000 bytes";
}

TEST_F(push_delivery_test, deleting_a_message_sends_a_silent_push_that_removes_its_notification) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto s = send("alice", "oops, wrong group");
  ASSERT_TRUE(payload_for(bob, s).is_object());
  auto r = http().del(test_server::api("/groups/" + std::to_string(group) + "/messages/" + std::to_string(s)),
                      tokens["alice"]);
  ASSERT_STATUS(r, 204);
  auto pushes = push.wait_for(bob, 2);
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_TRUE(pushes[1]["errors"].empty()) << pushes[1].dump();
  EXPECT_EQ(pushes[1]["payload"], (json{{"type", "message_deleted"}, {"group_id", group}, {"seq", s}}));
}

TEST_F(push_delivery_test, metrics_count_pushes_and_subscriptions) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto bob = subscribe("bob");
  auto carol = subscribe("carol");
  push.script(bob, json::array({{{"status", 500}}}), {{"status", 404}});
  push.script(carol, json::array(), {{"status", 400}});  // refused: given up at once
  auto erin = subscribe("erin");                          // accepted
  auto s = send("alice", "count me");
  ASSERT_TRUE(payload_for(erin, s).is_object());
  ASSERT_EQ(push.wait_for(bob, 2).size(), 2u);
  EXPECT_EQ(push.received(bob).back()["payload"]["seq"], s);
  std::string text;
  bool counted = wait_until(
      [&] {
        text = metrics();
        return metric(text, "peerchat_push_sent_total") >= 1 && metric(text, "peerchat_push_failed_total") >= 1 &&
               metric(text, "peerchat_push_retried_total") >= 1 && metric(text, "peerchat_push_gone_total") >= 1 &&
               metric(text, "peerchat_push_subscriptions") >= 1;  // a gauge refreshed every 15 s
      },
      10s, 50ms);
  EXPECT_TRUE(counted) << text;
  EXPECT_EQ(metric(text, "peerchat_push_dropped_total"), 0) << text;
}

class push_minimal_content_test : public push_delivery_test {};

TEST_F(push_minimal_content_test, minimal_content_carries_ids_only) {
  ASSERT_NO_FATAL_FAILURE(start({"--push-content", "minimal"}));
  auto bob = subscribe("bob");
  auto s = send("alice", "@bob the secret plan");
  auto p = payload_for(bob, s);
  ASSERT_TRUE(p.is_object());
  EXPECT_EQ(keys_of(p), (std::vector<std::string>{"group_id", "mention", "seq", "type"})) << p.dump();
  EXPECT_EQ(p["mention"], true);
  auto plain = send("alice", repeat("long ", 500));
  ASSERT_TRUE(payload_for(bob, plain).is_object());
  auto pushes = push.received(bob);
  EXPECT_EQ(pushes[0]["body_length"], pushes[1]["body_length"]);
}

}  // namespace
}  // namespace peerchat::test
