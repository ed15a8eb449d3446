// SPDX-License-Identifier: MIT
// Exactly-once sends: a retried client_msg_id — over WebSocket or HTTP, on the same or a new
// connection — is acknowledged with the original seq and creates nothing.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <set>

namespace peerchat::test {
namespace {

class ws_idempotency_test : public coaches_test {
 protected:
  // Sends and returns the ack (or an empty object when none came).
  static json send_and_ack(ws_client& ws, std::int64_t group, std::string const& id, std::string const& body) {
    if (!ws.send_json(send_frame(group, id, body))) return json::object();
    auto ack = ws.read_until(
        [&](json const& f) {
          return (f.value("type", "") == "ack" && f.value("client_msg_id", "") == id) || f.value("type", "") == "error";
        },
        std::chrono::seconds(5));
    return ack ? *ack : json::object();
  }

  int messages_with_id(std::string const& id) {
    int n = 0;
    for (auto const& e : srv.events("alice", coaches))
      if (e.value("kind", "") == "message" && e.value("client_msg_id", "") == id) ++n;
    return n;
  }
};

TEST_F(ws_idempotency_test, ADuplicateOverWebSocketIsAckedWithTheOriginalSeq) {
  auto alice = srv.connect("alice");
  auto bob = srv.connect("bob");
  auto first = send_and_ack(*bob, coaches, "dup-1", "only once");
  ASSERT_EQ(first.value("type", ""), "ack") << first.dump();
  auto seq = first["seq"].get<std::int64_t>();
  EXPECT_EQ(first.value("group_id", std::int64_t{0}), coaches);
  for (int i = 0; i < 3; ++i) {
    auto again = send_and_ack(*bob, coaches, "dup-1", "only once");
    ASSERT_EQ(again.value("type", ""), "ack") << again.dump();
    EXPECT_EQ(again["seq"].get<std::int64_t>(), seq);
    EXPECT_EQ(again["ts"], first["ts"]);
  }
  EXPECT_EQ(messages_with_id("dup-1"), 1);
  // Alice saw it exactly once.
  auto seen = read_events(*alice, coaches, 1, std::chrono::seconds(5));
  ASSERT_EQ(seqs_of(seen), std::vector<std::int64_t>{seq});
  for (auto const& f : frames_before_pong(*alice))
    EXPECT_NE(f.value("type", ""), "event") << f.dump();
}

TEST_F(ws_idempotency_test, WebSocketThenHttpRetryIsTheSameMessage) {
  auto bob = srv.connect("bob");
  auto ack = send_and_ack(*bob, coaches, "ws-then-http", "hello");
  ASSERT_EQ(ack.value("type", ""), "ack") << ack.dump();
  auto r = srv.http().post(test_server::api("/groups/" + std::to_string(coaches) + "/messages"),
                           {{"body", "hello"}, {"client_msg_id", "ws-then-http"}}, srv.token("bob"));
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json()["seq"], ack["seq"]);
  EXPECT_EQ(messages_with_id("ws-then-http"), 1);
}

TEST_F(ws_idempotency_test, HttpThenWebSocketRetryIsTheSameMessage) {
  auto original = srv.send("bob", coaches, "hello", "http-then-ws");
  auto bob = srv.connect("bob");
  auto ack = send_and_ack(*bob, coaches, "http-then-ws", "hello");
  ASSERT_EQ(ack.value("type", ""), "ack") << ack.dump();
  EXPECT_EQ(ack["seq"], original["seq"]);
  EXPECT_EQ(messages_with_id("http-then-ws"), 1);
}

TEST_F(ws_idempotency_test, ARetryOnANewConnectionIsTheSameMessage) {
  auto bob = srv.connect("bob");
  auto ack = send_and_ack(*bob, coaches, "across-reconnect", "sent before the tunnel");
  ASSERT_EQ(ack.value("type", ""), "ack");
  bob->drop();
  auto again = srv.connect("bob");
  auto second = send_and_ack(*again, coaches, "across-reconnect", "sent before the tunnel");
  ASSERT_EQ(second.value("type", ""), "ack") << second.dump();
  EXPECT_EQ(second["seq"], ack["seq"]);
  EXPECT_EQ(messages_with_id("across-reconnect"), 1);
}

TEST_F(ws_idempotency_test, ConcurrentDuplicatesFromTwoConnectionsCreateOneMessage) {
  auto phone = srv.connect("bob");
  auto laptop = srv.connect("bob");
  constexpr int n = 10;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(phone->send_json(send_frame(coaches, "race", "raced")));
    ASSERT_TRUE(laptop->send_json(send_frame(coaches, "race", "raced")));
  }
  std::set<std::int64_t> acked;
  for (auto* ws : {phone.get(), laptop.get()}) {
    int acks = 0;
    for (int i = 0; i < 10 * n && acks < n; ++i) {
      auto f = ws->read_json(std::chrono::seconds(5));
      ASSERT_TRUE(f.has_value());
      ASSERT_NE(f->value("type", ""), "error") << f->dump();
      if (f->value("type", "") == "ack") {
        ++acks;
        acked.insert((*f)["seq"].get<std::int64_t>());
      }
    }
    EXPECT_EQ(acks, n);
  }
  EXPECT_EQ(acked.size(), 1u);
  EXPECT_EQ(messages_with_id("race"), 1);
}

TEST_F(ws_idempotency_test, TheSameIdFromAnotherUserIsAnotherMessage) {
  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  auto a = send_and_ack(*bob, coaches, "shared-id", "from bob");
  auto b = send_and_ack(*carol, coaches, "shared-id", "from carol");
  ASSERT_EQ(a.value("type", ""), "ack");
  ASSERT_EQ(b.value("type", ""), "ack");
  EXPECT_NE(a["seq"], b["seq"]);
  EXPECT_EQ(messages_with_id("shared-id"), 2);
}

}  // namespace
}  // namespace peerchat::test
