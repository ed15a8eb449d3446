// SPDX-License-Identifier: MIT
// An ack means committed: the real binary is SIGKILLed while three members send, restarted
// on the same data dir, and every acknowledged message is there exactly once with seqs
// contiguous from 1. Unacknowledged sends are retried with the same client_msg_id after
// the restart, and still create nothing twice. Three cycles.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

// What the senders learned, shared between their threads.
struct ledger {
  std::mutex mutex;
  std::map<std::string, std::int64_t> acked;        // client_msg_id → seq; guarded by mutex
  std::map<std::string, std::string> pending_of;    // client_msg_id → username, sent not yet acked
  std::vector<std::string> failures;                // guarded by mutex
  int acked_this_cycle = 0;                         // guarded by mutex
};

// One member's client: sends its messages pipelined (at most `window` unacked) and records
// acks until it has sent everything or the server dies under it.
void run_sender(std::uint16_t port, std::string const& username, std::string const& token, std::int64_t group,
                std::vector<std::string> ids, ledger& book) {
  ws_client ws;
  if (!ws.connect(port) || !ws.hello(token)) {
    std::lock_guard lock(book.mutex);
    book.failures.push_back(username + " could not connect: " + ws.error());
    return;
  }
  constexpr std::size_t window = 16;
  std::size_t next = 0;
  std::set<std::string> in_flight;
  for (int steps = 0; steps < 100000; ++steps) {
    while (next < ids.size() && in_flight.size() < window) {
      if (!ws.send_json(send_frame(group, ids[next], username + " says " + ids[next]))) return;
      in_flight.insert(ids[next++]);
    }
    if (in_flight.empty()) return;
    auto f = ws.read_json(10s);
    if (!f) return;  // killed
    auto type = f->value("type", "");
    if (type == "error") {
      std::lock_guard lock(book.mutex);
      book.failures.push_back(username + " got " + f->dump());
      return;
    }
    if (type != "ack") continue;
    auto id = f->value("client_msg_id", "");
    auto seq = f->value("seq", std::int64_t{0});
    in_flight.erase(id);
    std::lock_guard lock(book.mutex);
    auto [it, fresh] = book.acked.emplace(id, seq);
    if (!fresh && it->second != seq)
      book.failures.push_back(id + " acked with seq " + std::to_string(seq) + " and earlier " +
                              std::to_string(it->second));
    book.pending_of.erase(id);
    ++book.acked_this_cycle;
  }
}

class durability_test : public ::testing::Test {
 protected:
  void SetUp() override {
    data = dir.path() / "data";
    std::filesystem::create_directories(data);
    for (auto [name, admin] : {std::pair{"alice", true}, {"bob", false}, {"carol", false}})
      create_user_cli(data, name, name, password_for(name), admin);
  }

  std::vector<std::string> relaxed_limits() const {
    return {"--send-rate", "100000", "--send-burst", "100000", "--login-rate", "1000"};
  }

  // Every event of the group, through the HTTP API of a fresh server.
  std::vector<json> all_events(binary_server& server, std::string const& token, std::int64_t group) {
    std::vector<json> out;
    std::int64_t after = 0;
    for (int page = 0; page < 1000; ++page) {
      auto r = server.http().get(test_server::api("/groups/" + std::to_string(group) + "/events?after=" +
                                                  std::to_string(after) + "&limit=1000"),
                                 token);
      EXPECT_STATUS(r, 200);
      auto list = r.json()["events"];
      if (list.empty()) break;
      for (auto const& e : list) out.push_back(e);
      after = list.back()["seq"].get<std::int64_t>();
    }
    return out;
  }

  void verify(binary_server& server, std::string const& token, std::int64_t group, ledger& book) {
    auto events = all_events(server, token, group);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(seqs_of(events), seq_range(1, static_cast<std::int64_t>(events.size())))
        << "seqs must be contiguous from 1";
    std::map<std::string, int> count;
    std::map<std::string, std::int64_t> seq_of;
    for (auto const& e : events) {
      if (e.value("kind", "") != "message") continue;
      auto id = e.value("client_msg_id", "");
      ++count[id];
      seq_of[id] = e["seq"].get<std::int64_t>();
    }
    for (auto const& [id, n] : count) EXPECT_EQ(n, 1) << id << " stored " << n << " times";
    std::lock_guard lock(book.mutex);
    for (auto const& [id, seq] : book.acked) {
      ASSERT_EQ(count[id], 1) << "acknowledged message " << id << " (seq " << seq << ") was lost";
      EXPECT_EQ(seq_of[id], seq) << id;
    }
  }

  temp_dir dir;
  std::filesystem::path data;
};

TEST_F(durability_test, EveryAcknowledgedMessageSurvivesKillNine) {
  binary_server first(data, relaxed_limits());
  ASSERT_TRUE(first.start()) << first.log();
  std::map<std::string, std::string> tokens;
  for (auto name : {"alice", "bob", "carol"}) tokens[name] = login(first, name);
  auto g = first.http().post(test_server::api("/groups"), {{"name", "coaches"}}, tokens["alice"]);
  ASSERT_STATUS(g, 201);
  auto group = g.json()["id"].get<std::int64_t>();
  for (auto name : {"bob", "carol"}) {
    auto invite = first.http().post(test_server::api("/groups/" + std::to_string(group) + "/invites"), json::object(),
                                    tokens["alice"]);
    ASSERT_STATUS(invite, 201);
    ASSERT_STATUS(first.http().post(test_server::api("/invites/" + invite.json()["code"].get<std::string>() + "/accept"),
                                    json::object(), tokens[name]),
                  201);
  }
  first.signal(SIGKILL);
  first.wait_exit(5s);

  ledger book;
  constexpr int cycles = 3;
  constexpr int per_sender = 150;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    binary_server server(data, relaxed_limits());
    ASSERT_TRUE(server.start()) << server.log();
    if (cycle > 0) verify(server, tokens["alice"], group, book);
    // Sessions survive restarts too.
    ASSERT_STATUS(server.http().get(test_server::api("/me"), tokens["bob"]), 200);

    std::vector<std::thread> senders;
    {
      std::lock_guard lock(book.mutex);
      book.acked_this_cycle = 0;
    }
    for (auto name : {"alice", "bob", "carol"}) {
      std::vector<std::string> ids;
      {
        // First the sends the last kill left unanswered, retried as a client would.
        std::lock_guard lock(book.mutex);
        for (auto const& [id, owner] : book.pending_of)
          if (owner == name) ids.push_back(id);
        for (int i = 0; i < per_sender; ++i) {
          auto id = "c" + std::to_string(cycle) + "-" + name + "-" + std::to_string(i);
          ids.push_back(id);
          book.pending_of[id] = name;
        }
      }
      senders.emplace_back(run_sender, server.port(), std::string(name), tokens[name], group, ids, std::ref(book));
    }
    // Kill it mid-stream: once a third of this cycle's messages are acknowledged.
    bool loaded = wait_until(
        [&] {
          std::lock_guard lock(book.mutex);
          return book.acked_this_cycle >= per_sender || !book.failures.empty();
        },
        30s, 1ms);
    server.signal(SIGKILL);
    for (auto& t : senders) t.join();
    ASSERT_TRUE(server.wait_exit(5s).has_value());
    ASSERT_TRUE(loaded) << "too few acks before the kill";
    std::lock_guard lock(book.mutex);
    for (auto const& f : book.failures) ADD_FAILURE() << f;
    ASSERT_TRUE(book.failures.empty());
    std::printf("durability cycle %d: %d acks before SIGKILL, %zu sends unanswered\n", cycle, book.acked_this_cycle,
                book.pending_of.size());
  }

  binary_server last(data, relaxed_limits());
  ASSERT_TRUE(last.start()) << last.log();
  verify(last, tokens["alice"], group, book);
  {
    std::lock_guard lock(book.mutex);
    EXPECT_GE(book.acked.size(), static_cast<std::size_t>(cycles * per_sender));
  }
  last.signal(SIGTERM);
  EXPECT_EQ(last.wait_exit(15s), std::optional<int>(0)) << last.log();
}

}  // namespace
}  // namespace peerchat::test
