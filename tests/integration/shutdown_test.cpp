// SPDX-License-Identifier: MIT
// Graceful shutdown: SIGTERM (or SIGINT) stops the server with every open socket closed
// with 1001, exit code 0, and every acknowledged message stored.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <csignal>
#include <map>
#include <set>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class shutdown_test : public ::testing::Test {
 protected:
  void SetUp() override {
    data = dir.path() / "data";
    std::filesystem::create_directories(data);
    create_user_cli(data, "alice", "Alice", password_for("alice"), true);
    create_user_cli(data, "bob", "Bob", password_for("bob"), false);
  }

  std::vector<std::string> args() const { return {"--send-rate", "100000", "--send-burst", "100000"}; }

  temp_dir dir;
  std::filesystem::path data;
};

TEST_F(shutdown_test, SigtermClosesSocketsWith1001AndKeepsEveryAckedMessage) {
  binary_server server(data, args());
  ASSERT_TRUE(server.start()) << server.log();
  auto alice_token = login(server, "alice");
  auto bob_token = login(server, "bob");
  auto g = server.http().post(test_server::api("/groups"), {{"name", "coaches"}}, alice_token);
  ASSERT_STATUS(g, 201);
  auto group = g.json()["id"].get<std::int64_t>();
  auto code = server.http()
                  .post(test_server::api("/groups/" + std::to_string(group) + "/invites"), json::object(), alice_token)
                  .json()["code"]
                  .get<std::string>();
  ASSERT_STATUS(server.http().post(test_server::api("/invites/" + code + "/accept"), json::object(), bob_token), 201);

  ws_client alice, bob;
  ASSERT_TRUE(alice.connect(server.port()) && alice.hello(alice_token)) << alice.error();
  ASSERT_TRUE(bob.connect(server.port()) && bob.hello(bob_token)) << bob.error();

  std::set<std::string> acked;
  auto take_ack = [&](json const& f) {
    if (f.value("type", "") == "ack") acked.insert(f.value("client_msg_id", ""));
  };
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(alice.send_json(send_frame(group, "before-" + std::to_string(i), "before")));
  for (int i = 0; i < 200 && acked.size() < 20; ++i) {
    auto f = alice.read_json(5s);
    ASSERT_TRUE(f.has_value());
    take_ack(*f);
  }
  ASSERT_EQ(acked.size(), 20u);
  // More in flight as the signal lands.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(alice.send_json(send_frame(group, "during-" + std::to_string(i), "during")));
  server.signal(SIGTERM);

  for (int i = 0; i < 1000; ++i) {
    auto f = alice.read_json(10s);
    if (!f) break;
    take_ack(*f);
  }
  EXPECT_EQ(alice.end().how, ws_close::outcome::closed) << alice.end().error;
  EXPECT_EQ(alice.end().code, 1001) << alice.end().reason;
  auto bobs_end = bob.read_close(10s);
  EXPECT_EQ(bobs_end.how, ws_close::outcome::closed) << bobs_end.error;
  EXPECT_EQ(bobs_end.code, 1001);
  EXPECT_EQ(server.wait_exit(15s), std::optional<int>(0)) << server.log();

  binary_server again(data, args());
  ASSERT_TRUE(again.start()) << again.log();
  auto r = again.http().get(test_server::api("/groups/" + std::to_string(group) + "/events?after=0&limit=1000"),
                            alice_token);
  ASSERT_STATUS(r, 200);
  std::map<std::string, int> stored;
  std::vector<json> events;
  for (auto whole = r.json(); auto const& e : whole["events"]) {
    events.push_back(e);
    if (e.value("kind", "") == "message") ++stored[e.value("client_msg_id", "")];
  }
  EXPECT_EQ(seqs_of(events), seq_range(1, static_cast<std::int64_t>(events.size())));
  for (auto const& id : acked) EXPECT_EQ(stored[id], 1) << "acknowledged " << id << " not stored exactly once";
  for (auto const& [id, n] : stored) EXPECT_EQ(n, 1) << id;
  again.signal(SIGINT);
  EXPECT_EQ(again.wait_exit(15s), std::optional<int>(0)) << again.log();
}

TEST_F(shutdown_test, AnIdleServerStopsPromptlyOnSigterm) {
  binary_server server(data, args());
  ASSERT_TRUE(server.start()) << server.log();
  auto started = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(10s), std::optional<int>(0)) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_FALSE(port_open(server.port()));
}

class in_process_shutdown_test : public coaches_test {};

TEST_F(in_process_shutdown_test, StopClosesOpenSocketsWith1001) {
  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  auto seq = srv.send("alice", coaches, "last words")["seq"].get<std::int64_t>();
  // The clients read while the server stops, as live clients do: they answer its close.
  struct outcome {
    std::vector<json> events;
    ws_close end;
  };
  outcome bobs, carols;
  auto watch = [&](ws_client& ws, outcome& out) {
    out.events = read_events(ws, coaches, 1, 5s);
    out.end = ws.read_close(10s);
  };
  std::thread b([&] { watch(*bob, bobs); });
  std::thread c([&] { watch(*carol, carols); });
  srv.stop();
  b.join();
  c.join();
  for (auto* out : {&bobs, &carols}) {
    EXPECT_EQ(seqs_of(out->events), std::vector<std::int64_t>{seq}) << "an event committed before the stop is delivered";
    EXPECT_EQ(out->end.how, ws_close::outcome::closed) << out->end.error;
    EXPECT_EQ(out->end.code, 1001);
  }
}

TEST_F(shutdown_test, AClientThatNeverAnswersDoesNotHoldUpOrCrashTheExit) {
  binary_server server(data, args());
  ASSERT_TRUE(server.start()) << server.log();
  auto token = login(server, "bob");
  // A phone that went into a tunnel: connected, then silent; it never reads the close.
  ws_client phone;
  ASSERT_TRUE(phone.connect(server.port()) && phone.hello(token)) << phone.error();
  auto started = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  auto code = server.wait_exit(20s);
  ASSERT_TRUE(code.has_value()) << "still running 20 s after SIGTERM";
  EXPECT_EQ(*code, 0) << "exit status (128+N is signal N)\n" << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
}

}  // namespace
}  // namespace peerchat::test
