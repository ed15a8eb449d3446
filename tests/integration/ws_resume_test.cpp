// SPDX-License-Identifier: MIT
// Resume: a client back after a disconnect gets exactly what it missed, in order, then the
// live stream — never a gap, never a duplicate, even while new events keep arriving.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace peerchat::test {
namespace {

class ws_resume_test : public coaches_test {
 protected:
  json resume_at(std::int64_t seq) const { return {{std::to_string(coaches), seq}}; }

  // Sends n messages from `ws`, pipelined, and waits for all their acks.
  static void send_many(ws_client& ws, std::int64_t group, int n, std::string const& prefix) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(ws.send_json(send_frame(group, prefix + std::to_string(i), prefix + " body " + std::to_string(i))));
    int acks = 0;
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acks < n && std::chrono::steady_clock::now() < deadline) {
      auto f = ws.read_json(std::chrono::seconds(5));
      ASSERT_TRUE(f.has_value()) << "after " << acks << " acks: " << ws.error();
      ASSERT_NE(f->value("type", ""), "error") << f->dump();
      if (f->value("type", "") == "ack") ++acks;
    }
    ASSERT_EQ(acks, n);
  }
};

TEST_F(ws_resume_test, ResumeGetsExactlyTheMissedEventsThenLive) {
  auto bob = srv.connect("bob");
  auto seen = last_seq_in_ready(bob->last_frame(), coaches);
  ASSERT_GT(seen, 0);
  bob->drop();  // the phone loses its network

  for (int i = 0; i < 5; ++i) srv.send("alice", coaches, "missed " + std::to_string(i));
  auto back = srv.connect("bob", resume_at(seen));
  EXPECT_EQ(last_seq_in_ready(back->last_frame(), coaches), seen + 5);
  auto missed = read_events(*back, coaches, 5, std::chrono::seconds(5));
  ASSERT_EQ(seqs_of(missed), seq_range(seen + 1, seen + 5));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(missed[i].value("body", ""), "missed " + std::to_string(i));

  srv.send("carol", coaches, "live now");
  auto live = read_events(*back, coaches, 1, std::chrono::seconds(5));
  ASSERT_EQ(seqs_of(live), std::vector<std::int64_t>{seen + 6});
  EXPECT_EQ(live[0].value("body", ""), "live now");
  for (auto const& f : frames_before_pong(*back))
    EXPECT_NE(f.value("type", ""), "event") << "duplicate or stray: " << f.dump();
}

TEST_F(ws_resume_test, ResumeAfterALongAbsenceReplaysEveryPage) {
  auto bob = srv.connect("bob");
  auto seen = last_seq_in_ready(bob->last_frame(), coaches);
  bob->drop();
  auto alice = srv.connect("alice");
  constexpr int n = 600;  // several pages of replay
  send_many(*alice, coaches, n, "away-");
  auto back = srv.connect("bob", resume_at(seen));
  auto missed = read_events(*back, coaches, n, std::chrono::seconds(30));
  EXPECT_EQ(seqs_of(missed), seq_range(seen + 1, seen + n));
  for (auto const& f : frames_before_pong(*back))
    EXPECT_NE(f.value("type", ""), "event") << f.dump();
}

TEST_F(ws_resume_test, ResumeWhileNewEventsArriveHasNoGapAndNoDuplicate) {
  auto bob = srv.connect("bob");
  auto seen = last_seq_in_ready(bob->last_frame(), coaches);
  bob->drop();
  auto alice = srv.connect("alice");
  send_many(*alice, coaches, 300, "before-");

  // Alice keeps sending while bob reconnects and replays: the switch from replay to live
  // happens with events arriving on both sides of it.
  constexpr int live = 300;
  std::thread sender([&] {
    auto carol = srv.connect("carol");
    for (int i = 0; i < live; ++i) {
      if (!carol->send_json(send_frame(coaches, "during-" + std::to_string(i), "during"))) break;
    }
    int acks = 0;
    for (int i = 0; i < 10 * live && acks < live; ++i) {
      auto f = carol->read_json(std::chrono::seconds(5));
      if (!f) break;
      if (f->value("type", "") == "ack") ++acks;
    }
  });
  auto back = srv.connect("bob", resume_at(seen));
  auto events = read_events(*back, coaches, 300 + live, std::chrono::seconds(30));
  sender.join();
  EXPECT_EQ(seqs_of(events), seq_range(seen + 1, seen + 300 + live));
  for (auto const& f : frames_before_pong(*back))
    EXPECT_NE(f.value("type", ""), "event") << f.dump();
}

TEST_F(ws_resume_test, ResumeFromTheLatestSeqReplaysNothing) {
  auto bob = srv.connect("bob");
  auto seen = last_seq_in_ready(bob->last_frame(), coaches);
  bob->drop();
  auto back = srv.connect("bob", resume_at(seen));
  for (auto const& f : frames_before_pong(*back))
    EXPECT_NE(f.value("type", ""), "event") << f.dump();
  srv.send("alice", coaches, "fresh");
  EXPECT_EQ(seqs_of(read_events(*back, coaches, 1, std::chrono::seconds(5))), std::vector<std::int64_t>{seen + 1});
}

TEST_F(ws_resume_test, ResumeFromZeroReplaysTheWholeLog) {
  srv.send("alice", coaches, "one");
  auto last = srv.events("bob", coaches).back()["seq"].get<std::int64_t>();
  auto bob = srv.connect("bob", resume_at(0));
  auto events = read_events(*bob, coaches, static_cast<std::size_t>(last), std::chrono::seconds(5));
  EXPECT_EQ(seqs_of(events), seq_range(1, last));
}

TEST_F(ws_resume_test, ResumingAGroupOneIsNotInRevealsNothing) {
  auto scouts = srv.create_group("alice", "scouts");
  srv.send("alice", scouts, "scouts secret");
  // A group of bob's made after scouts: groups replay in id order and a live event of a group
  // is held until its replay is done, so a message sent to `later` after ready arrives after
  // whatever the scouts replay would have sent: reading up to it needs no fixed wait.
  auto later = srv.create_group("alice", "later");
  srv.join("bob", later);
  auto ws = std::make_unique<ws_client>();
  ASSERT_TRUE(ws->connect(srv.port()));
  json resume{{std::to_string(scouts), 0}, {std::to_string(coaches), 0}, {std::to_string(later), 0}};
  ASSERT_TRUE(ws->hello(srv.token("bob"), resume).has_value());
  srv.send("alice", later, "end of the replay");
  std::vector<json> frames;
  bool marker = false;
  for (int i = 0; i < 1000 && !marker; ++i) {
    auto f = ws->read_json(std::chrono::seconds(10));
    if (!f) break;
    marker = f->value("group_id", std::int64_t{0}) == later && f->value("body", "") == "end of the replay";
    frames.push_back(std::move(*f));
  }
  ASSERT_TRUE(marker) << "the live message after the replays never came";
  for (auto const& f : frames) {
    EXPECT_NE(f.value("group_id", std::int64_t{0}), scouts) << f.dump();
    EXPECT_EQ(f.dump().find("scouts secret"), std::string::npos) << f.dump();
  }
}

}  // namespace
}  // namespace peerchat::test
