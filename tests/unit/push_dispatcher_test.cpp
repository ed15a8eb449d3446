// SPDX-License-Identifier: MIT
// The dispatcher end to end against a push service on 127.0.0.1: who is pushed, what the
// request carries (decrypted with the subscription's key), 410, 429 + Retry-After, 500,
// the bounded queue, and payloads of one size.
#include "fixture.hpp"
#include "push_test_server.hpp"
#include "support/wait.hpp"
#include "peerchat/core/base64url.hpp"
#include "peerchat/push/dispatcher.hpp"
#include "peerchat/push/encryption.hpp"
#include "peerchat/push/payload.hpp"
#include <atomic>
#include <map>

namespace peerchat::unit {
namespace {

constexpr group_id coaches{7};
constexpr user_id alice{1}, bob{2}, carol{3};

// A browser: its key pair and auth secret, and the subscription the server keeps for it.
struct browser {
  push::ec_key key = push::ec_key::generate();
  std::string auth = std::string(16, '\x05');
  service::push_subscription subscription(std::int64_t id, user_id u, std::string endpoint) const {
    return {id, u, std::move(endpoint), base64url::encode(key.public_point()), base64url::encode(auth)};
  }
  json open(pushed const& p) const {
    auto plain = push::decrypt(p.body, key, auth);
    if (!plain) throw std::runtime_error("the push does not decrypt");
    return json::parse(*plain);
  }
};

event message_event(seq_t seq, user_id sender, std::string body, std::vector<std::int64_t> mentions = {}) {
  json w{{"type", "message"}, {"group_id", raw(coaches)}, {"seq", seq},
         {"sender", {{"user_id", raw(sender)}, {"display_name", "Alice"}}}, {"body", body}};
  if (!mentions.empty()) w["mentions"] = mentions;
  return event{coaches, seq, 0, event_kind::message, user_id{}, std::make_shared<std::string const>(w.dump())};
}

class PushDispatcher : public store_fixture {
 protected:
  manual_clock clock;
  config cfg;
  browser bob_phone, carol_phone;
  std::vector<std::int64_t> gone_ids;
  std::mutex mutex;
  std::atomic<bool> carol_focused{false};
  std::atomic<int> audiences_asked{0};
  std::atomic<int> subscriptions_asked{0};
  bool group_has_phones = true;

  push::server_keys keys() {
    service::context ctx{writer(), reader(), clock, cfg, {}};
    return push::server_keys::load_or_create(ctx);
  }

  std::unique_ptr<push::dispatcher> make(push_test_server& server) {
    cfg.push.allow_loopback = true;
    cfg.push.timeout = std::chrono::seconds(5);
    push::sources src;
    src.message_audience = [this, &server](group_id, seq_t, user_id sender, std::vector<user_id> const& mentioned,
                                           bool question) -> result<service::push_audience> {
      ++audiences_asked;
      service::push_audience a{"coaches", {}};
      for (auto [u, phone, id] : {std::tuple{bob, &bob_phone, 11}, std::tuple{carol, &carol_phone, 12}}) {
        if (u == sender) continue;
        // As notifications::message_audience: a question counts as a mention (issue 14).
        bool m = question || std::find(mentioned.begin(), mentioned.end(), u) != mentioned.end();
        a.recipients.push_back({u, m, {phone->subscription(id, u, server.url("/sub/" + std::to_string(id)))}});
      }
      return a;
    };
    src.deletion_audience = [this, &server](group_id, seq_t) -> result<service::push_audience> {
      return service::push_audience{"coaches", {{bob, false, {bob_phone.subscription(11, bob, server.url("/sub/11"))}}}};
    };
    src.subscription_gone = [this](std::int64_t id) {
      std::lock_guard lock(mutex);
      gone_ids.push_back(id);
    };
    src.focused = [this](user_id u, group_id) { return u == carol && carol_focused; };
    src.any_member_subscribed = [this](group_id) {
      ++subscriptions_asked;
      return group_has_phones;
    };
    return std::make_unique<push::dispatcher>(cfg.push, keys(), "mailto:admin@example.org", src, clock);
  }

  // The counters are bumped on the client's thread after the server answered.
  template <class F>
  bool eventually(F f) {
    return test::wait_until(f, std::chrono::seconds(15));
  }
};

TEST_F(PushDispatcher, PushesEachRecipientButTheSenderWithTheContractsPayloadAndHeaders) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  d->enqueue({message_event(5, alice, "Who has the drills for Saturday, @bob?", {raw(bob)})});
  ASSERT_TRUE(server.wait_for(2));
  ASSERT_TRUE(eventually([&] { return d->sent == 2; }));
  auto got = server.received();
  ASSERT_EQ(got.size(), 2u);
  std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.target < b.target; });
  EXPECT_EQ(got[0].target, "/sub/11");
  auto p = bob_phone.open(got[0]);
  EXPECT_EQ(p["type"], "message");
  EXPECT_EQ(p["group_id"], raw(coaches));
  EXPECT_EQ(p["group_name"], "coaches");
  EXPECT_EQ(p["seq"], 5);
  EXPECT_EQ(p["sender"]["user_id"], raw(alice));
  EXPECT_EQ(p["sender"]["display_name"], "Alice");
  EXPECT_EQ(p["body"], "Who has the drills for Saturday, @bob?");
  EXPECT_EQ(p["mention"], true);
  EXPECT_EQ(p["truncated"], false);
  EXPECT_EQ(carol_phone.open(got[1])["mention"], false);
  auto& h = got[0].headers;
  EXPECT_EQ(h["Content-Encoding"], "aes128gcm");
  EXPECT_EQ(h["Content-Type"], "application/octet-stream");
  EXPECT_EQ(h["TTL"], std::to_string(cfg.push.ttl.count()));
  EXPECT_EQ(h["Urgency"], "high");
  EXPECT_EQ(got[1].headers["Urgency"], "normal");
  EXPECT_EQ(h["Topic"].size(), 32u);
  EXPECT_EQ(h["Topic"], got[1].headers["Topic"]);
  EXPECT_TRUE(h["Authorization"].starts_with("vapid t=")) << h["Authorization"];
  EXPECT_EQ(got[0].body.size(), 86u + push::padded_payload_size + 16u);
}

TEST_F(PushDispatcher, AGroupWhereNobodyHasASubscriptionCostsOneQuestionPerMessage) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  group_has_phones = false;
  auto d = make(server);
  d->enqueue({message_event(5, alice, "Who has the drills for Saturday, @bob?", {raw(bob)})});
  ASSERT_TRUE(eventually([&] { return subscriptions_asked == 1; }));
  EXPECT_EQ(audiences_asked, 0) << "no audience is worked out for a group without phones";
  EXPECT_EQ(d->sent + d->failed, 0u);
  EXPECT_TRUE(server.received().empty());
}

TEST_F(PushDispatcher, AQuestionIsPushedLikeAMention) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  auto e = message_event(6, alice, "How do you run a retro with 40 people?");
  auto w = json::parse(*e.wire);
  w["question"] = {{"state", "open"}};  // sent with question:true
  e.wire = std::make_shared<std::string const>(w.dump());
  d->enqueue({e, message_event(7, alice, "Plain chat")});
  ASSERT_TRUE(server.wait_for(4));
  ASSERT_TRUE(eventually([&] { return d->sent == 4; }));
  for (auto const& p : server.received()) {
    auto body = (p.target == "/sub/11" ? bob_phone : carol_phone).open(p);
    EXPECT_EQ(body["mention"], body["seq"] == 6) << body.dump();
    EXPECT_EQ(p.headers.at("Urgency"), body["seq"] == 6 ? "high" : "normal");
  }
}

TEST_F(PushDispatcher, EveryPayloadHasOneSizeAndLongBodiesAreTruncated) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  std::string long_body;
  for (int i = 0; i < 1000; ++i) long_body += "ü";  // 2000 bytes of two-byte characters
  d->enqueue({message_event(5, carol, "ok"), message_event(6, carol, long_body)});
  ASSERT_TRUE(server.wait_for(2));
  auto got = server.received();
  EXPECT_EQ(got[0].body.size(), got[1].body.size());
  auto shortp = bob_phone.open(got[0]), longp = bob_phone.open(got[1]);
  if (shortp["seq"] == 6) std::swap(shortp, longp);
  EXPECT_EQ(shortp["truncated"], false);
  EXPECT_EQ(longp["truncated"], true);
  std::string body = longp["body"];
  EXPECT_GT(body.size(), 1000u);
  EXPECT_TRUE(long_body.starts_with(body));  // cut on a character boundary (parse succeeded)
}

TEST_F(PushDispatcher, AMessageOfAttachmentsOnlySaysWhatItCarries) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  auto with_files = [](seq_t seq, json files) {
    auto e = message_event(seq, carol, "");
    auto w = json::parse(*e.wire);
    w["attachments"] = std::move(files);
    e.wire = std::make_shared<std::string const>(w.dump());
    return e;
  };
  json photo{{"id", "a"}, {"name", "board.jpg"}, {"mime", "image/jpeg"}};
  json voice{{"id", "b"}, {"name", "voice.webm"}, {"mime", "audio/webm"}};
  json pdf{{"id", "c"}, {"name", "template.pdf"}, {"mime", "application/pdf"}};
  d->enqueue({with_files(5, json::array({photo})), with_files(6, json::array({photo, photo})),
              with_files(7, json::array({voice})), with_files(8, json::array({pdf})),
              with_files(9, json::array({photo, pdf}))});
  ASSERT_TRUE(server.wait_for(5));
  std::map<std::int64_t, std::string> bodies;
  for (auto const& got : server.received()) {
    auto p = bob_phone.open(got);
    bodies[p["seq"].get<std::int64_t>()] = p["body"].get<std::string>();
  }
  EXPECT_EQ(bodies[5], "📷 Photo");
  EXPECT_EQ(bodies[6], "📷 2 photos");
  EXPECT_EQ(bodies[7], "🎤 Voice note");
  EXPECT_EQ(bodies[8], "📎 template.pdf");
  EXPECT_EQ(bodies[9], "📎 2 files");
}

TEST_F(PushDispatcher, MinimalContentCarriesOnlyIds) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  cfg.push.minimal_content = true;
  auto d = make(server);
  d->enqueue({message_event(5, carol, "secret plans")});
  ASSERT_TRUE(server.wait_for(1));
  auto p = bob_phone.open(server.received()[0]);
  EXPECT_EQ(p, (json{{"type", "message"}, {"group_id", raw(coaches)}, {"seq", 5}, {"mention", false}}));
}

TEST_F(PushDispatcher, AFocusedMemberIsNotPushed) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  carol_focused = true;
  d->enqueue({message_event(5, alice, "hi")});
  ASSERT_TRUE(eventually([&] { return d->sent == 1; }));
  carol_focused = false;
  d->enqueue({message_event(6, bob, "round trip")});  // carol's push for 6 proves 5 was skipped
  ASSERT_TRUE(server.wait_for(2));  // bob for 5, carol for 6 (bob sent 6)
  auto got = server.received();
  ASSERT_EQ(got.size(), 2u);
  int carol_pushes = 0;
  for (auto& g : got)
    if (g.target == "/sub/12") {
      ++carol_pushes;
      EXPECT_EQ(carol_phone.open(g)["seq"], 6);
    }
  EXPECT_EQ(carol_pushes, 1);
}

TEST_F(PushDispatcher, ADeletionSendsASilentRemoval) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; });
  auto d = make(server);
  json w{{"type", "message_deleted"}, {"group_id", raw(coaches)}, {"seq", 9}, {"target_seq", 5}, {"user_id", raw(alice)}};
  d->enqueue({event{coaches, 9, 0, event_kind::message_deleted, user_id{}, std::make_shared<std::string const>(w.dump())}});
  ASSERT_TRUE(server.wait_for(1));
  auto got = server.received()[0];
  EXPECT_EQ(bob_phone.open(got), (json{{"type", "message_deleted"}, {"group_id", raw(coaches)}, {"seq", 5}}));
  EXPECT_EQ(got.headers["Urgency"], "low");
  EXPECT_EQ(got.body.size(), 86u + push::padded_payload_size + 16u);
}

TEST_F(PushDispatcher, GoneSubscriptionsAreDeletedAndOthersKeptWorking) {
  push_test_server server([](std::size_t, pushed const& p) { return push_answer{p.target == "/sub/12" ? 410 : 201}; });
  auto d = make(server);
  d->enqueue({message_event(5, alice, "hi")});
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !gone_ids.empty();
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(gone_ids, std::vector<std::int64_t>{12});
  EXPECT_EQ(d->gone, 1u);
  EXPECT_TRUE(eventually([&] { return d->sent == 1; }));
}

TEST_F(PushDispatcher, RetriesA429HonouringRetryAfterAndA500) {
  push_test_server server([](std::size_t n, pushed const&) {
    if (n == 0) return push_answer{429, {{"Retry-After", "1"}}};
    if (n == 1) return push_answer{500};
    return push_answer{201};
  });
  auto d = make(server);
  d->enqueue({message_event(5, carol, "hi")});  // bob only
  ASSERT_TRUE(server.wait_for(3));
  ASSERT_TRUE(eventually([&] { return d->sent == 1; }));
  EXPECT_EQ(d->retried, 2u);
  EXPECT_EQ(d->failed, 0u);
  auto got = server.received();
  EXPECT_EQ(got[0].body, got[2].body);  // the same encrypted push, sent again
}

TEST_F(PushDispatcher, GivesUpAfterMaxAttemptsAndFailsOther4xxAtOnce) {
  push_test_server server([](std::size_t, pushed const& p) { return push_answer{p.target == "/sub/11" ? 503 : 400}; });
  cfg.push.max_attempts = 2;
  auto d = make(server);
  d->enqueue({message_event(5, alice, "hi")});
  ASSERT_TRUE(server.wait_for(3));
  ASSERT_TRUE(eventually([&] { return d->failed == 2; }));
  EXPECT_EQ(d->retried, 1u);
  EXPECT_EQ(server.received().size(), 3u);
}

TEST_F(PushDispatcher, AFullQueueDropsTheOldest) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201, {}, true}; });  // never answers
  cfg.push.queue = 2;
  cfg.push.in_flight = 1;
  auto d = make(server);
  d->enqueue({message_event(1, carol, "a")});
  ASSERT_TRUE(server.wait_for(1));  // in flight, stuck; the planner holds one planned push
  std::vector<event> many;
  for (seq_t s = 2; s <= 12; ++s) many.push_back(message_event(s, carol, "m"));
  d->enqueue(many);
  EXPECT_GE(d->dropped, 11u - 2u - 1u);  // the queue keeps 2 (the planner may have taken one)
  d->stop();  // cancels the request that hangs; no exception, threads joined
}

TEST(PushPayload, Utf8PrefixNeverSplitsACharacter) {
  std::string s = "aé€😀";  // 1 + 2 + 3 + 4 bytes
  EXPECT_EQ(push::utf8_prefix(s, 2), "a");
  EXPECT_EQ(push::utf8_prefix(s, 3), "aé");
  EXPECT_EQ(push::utf8_prefix(s, 9), "aé€");
  EXPECT_EQ(push::utf8_prefix(s, 10), s);
}

TEST(PushPayload, JsonAlwaysFitsThePaddedSize) {
  push::message_payload p{coaches, "coaches", 5, alice, "Alice", std::string(10'000, '"'), false};
  auto j = push::message_payload_json(p, false);  // every quote escapes to two bytes
  EXPECT_LE(j.size(), push::max_payload_json);
  EXPECT_EQ(json::parse(j)["truncated"], true);
}

}  // namespace
}  // namespace peerchat::unit
