// SPDX-License-Identifier: MIT
// Presence: `ready` lists who is online among the users sharing a group with the caller, and
// a burst of arrivals and departures reaches a watcher as coalesced changes (`presence_batch`,
// or a plain `presence` for a lone change) that end in the right state.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <map>
#include <set>

namespace peerchat::test {
namespace {

class ws_presence_test : public coaches_test {
 protected:
  static std::set<std::int64_t> online_in(json const& ready) {
    std::set<std::int64_t> out;
    for (auto const& id : ready.at("online")) out.insert(id.get<std::int64_t>());
    return out;
  }

  // Applies a presence or presence_batch frame to `state`; counts the changes it carried.
  static std::size_t apply_presence(json const& f, std::map<std::int64_t, bool>& state) {
    auto type = f.value("type", "");
    if (type == "presence") {
      state[f.at("user_id").get<std::int64_t>()] = f.at("online").get<bool>();
      return 1;
    }
    if (type == "presence_batch") {
      for (auto const& c : f.at("changes")) state[c.at("user_id").get<std::int64_t>()] = c.at("online").get<bool>();
      return f.at("changes").size();
    }
    return 0;
  }

  // Reads the watcher's frames until every user of `ids` has the state `online`, or the
  // deadline passes. Returns the frames read.
  static std::vector<json> read_until_all(ws_client& watcher, std::set<std::int64_t> const& ids, bool online,
                                          std::map<std::int64_t, bool>& state) {
    std::vector<json> frames;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    auto done = [&] {
      for (auto id : ids)
        if (auto it = state.find(id); it == state.end() || it->second != online) return false;
      return true;
    };
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      auto f = watcher.read_json(std::chrono::milliseconds(500));
      if (!f) continue;
      apply_presence(*f, state);
      frames.push_back(std::move(*f));
    }
    return frames;
  }
};

TEST_F(ws_presence_test, ReadyListsWhoIsOnlineAmongUsersSharingAGroup) {
  auto alice = srv.connect("alice");
  EXPECT_EQ(online_in(alice->last_frame()), (std::set<std::int64_t>{srv.id("alice")})) << alice->last_frame().dump();
  auto dave = srv.connect("dave");  // shares no group with anyone
  EXPECT_EQ(online_in(dave->last_frame()), (std::set<std::int64_t>{srv.id("dave")})) << dave->last_frame().dump();

  auto bob = srv.connect("bob");
  // carol is offline; dave is online but shares no group with bob.
  EXPECT_EQ(online_in(bob->last_frame()), (std::set<std::int64_t>{srv.id("alice"), srv.id("bob")}))
      << bob->last_frame().dump();

  alice->close();
  ASSERT_TRUE(bob->read_until(
      [&](json const& f) {
        std::map<std::int64_t, bool> s;
        return apply_presence(f, s) > 0 && s.contains(srv.id("alice")) && !s[srv.id("alice")];
      },
      std::chrono::seconds(12)))
      << "bob was not told alice went offline";
  auto carol = srv.connect("carol");
  EXPECT_EQ(online_in(carol->last_frame()), (std::set<std::int64_t>{srv.id("bob"), srv.id("carol")}))
      << carol->last_frame().dump();
}

TEST_F(ws_presence_test, ABurstOfArrivalsAndDeparturesReachesAWatcherBatchedWithTheRightFinalState) {
  constexpr int n = 12;
  std::vector<std::string> names;
  std::set<std::int64_t> ids;
  for (int i = 0; i < n; ++i) {
    names.push_back("member" + std::to_string(i));
    srv.create_user(names.back());
    srv.join(names.back(), coaches);
    ids.insert(srv.id(names.back()));
  }
  auto watcher = srv.connect("alice");

  // Every member upgrades first, then all say hello at once: the arrivals come together.
  std::vector<std::unique_ptr<ws_client>> burst;
  for (int i = 0; i < n; ++i) {
    burst.push_back(std::make_unique<ws_client>());
    ASSERT_TRUE(burst.back()->connect(srv.port())) << burst.back()->error();
  }
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(burst[static_cast<std::size_t>(i)]->send_json({{"type", "hello"}, {"token", srv.token(names[static_cast<std::size_t>(i)])}}));
  for (auto& ws : burst)
    ASSERT_TRUE(ws->read_until([](json const& f) { return f.value("type", "") == "ready"; }, std::chrono::seconds(10)));

  std::map<std::int64_t, bool> state;
  auto arrivals = read_until_all(*watcher, ids, true, state);
  for (auto id : ids) EXPECT_TRUE(state[id]) << "the watcher did not see user " << id << " come online";
  std::size_t batches = 0, presence_frames = 0;
  for (auto const& f : arrivals) {
    if (f.value("type", "") == "presence_batch") {
      ++batches;
      EXPECT_GE(f.at("changes").size(), 2u) << f.dump();
    }
    if (f.value("type", "") == "presence" || f.value("type", "") == "presence_batch") ++presence_frames;
  }
  // Coalesced: fewer frames than arrivals, at least one of them a batch.
  EXPECT_GE(batches, 1u);
  EXPECT_LT(presence_frames, static_cast<std::size_t>(n));

  // The last member to arrive sees everyone in its own ready.
  auto late = srv.connect("bob");
  auto late_online = online_in(late->last_frame());
  for (auto id : ids) EXPECT_TRUE(late_online.contains(id)) << late->last_frame().dump();

  // All leave at once: every departure reaches the watcher, within the contract's 10 s.
  for (auto& ws : burst) ws->close();
  read_until_all(*watcher, ids, false, state);
  for (auto id : ids) EXPECT_FALSE(state[id]) << "the watcher did not see user " << id << " go offline";
  auto after = srv.connect("carol");
  auto after_online = online_in(after->last_frame());
  for (auto id : ids) EXPECT_FALSE(after_online.contains(id)) << after->last_frame().dump();
  EXPECT_TRUE(after_online.contains(srv.id("alice")));
  EXPECT_TRUE(after_online.contains(srv.id("bob")));
}

}  // namespace
}  // namespace peerchat::test
