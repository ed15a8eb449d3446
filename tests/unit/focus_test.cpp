// SPDX-License-Identifier: MIT
// The focus frame's decoding and the focus registry the push dispatcher asks.
#include "gateway/focus_registry.hpp"
#include "peerchat/protocol/client_frame.hpp"
#include <gtest/gtest.h>

namespace peerchat::unit {
namespace {

using gateway::focus_registry;

// Stand-ins for connections: the registry only compares their addresses.
gateway::connection const* conn(int i) { return reinterpret_cast<gateway::connection const*>(static_cast<std::uintptr_t>(0x1000 * i)); }

const user_id bob{2}, carol{3};
const group_id coaches{10}, scouts{11};

TEST(focus_frame, DecodesAGroupOrNull) {
  auto f = protocol::decode_client_frame(R"({"type":"focus","group_id":10})", 32);
  ASSERT_TRUE(f);
  EXPECT_EQ(std::get<protocol::focus_frame>(f->frame).group, coaches);
  f = protocol::decode_client_frame(R"({"type":"focus","group_id":null})", 32);
  ASSERT_TRUE(f);
  EXPECT_FALSE(std::get<protocol::focus_frame>(f->frame).group);
  EXPECT_FALSE(protocol::decode_client_frame(R"({"type":"focus"})", 32));
  EXPECT_FALSE(protocol::decode_client_frame(R"({"type":"focus","group_id":"10"})", 32));
  EXPECT_FALSE(protocol::decode_client_frame(R"({"type":"focus","group_id":0})", 32));
}

TEST(focus_registry, AFocusIsFreshUntilItsLifetimeEnds) {
  focus_registry r(std::chrono::seconds(60));
  r.set(conn(1), bob, coaches, 1'000);
  EXPECT_TRUE(r.fresh(bob, coaches, 1'000));
  EXPECT_TRUE(r.fresh(bob, coaches, 60'999));
  EXPECT_FALSE(r.fresh(bob, coaches, 61'000));
  EXPECT_FALSE(r.fresh(bob, scouts, 1'000));
  EXPECT_FALSE(r.fresh(carol, coaches, 1'000));
  r.set(conn(1), bob, coaches, 50'000);  // renewed
  EXPECT_TRUE(r.fresh(bob, coaches, 109'999));
}

TEST(focus_registry, OneFocusPerConnectionAnyConnectionCounts) {
  focus_registry r(std::chrono::seconds(60));
  r.set(conn(1), bob, coaches, 0);
  r.set(conn(1), bob, scouts, 0);  // the phone switched groups
  EXPECT_FALSE(r.fresh(bob, coaches, 0));
  EXPECT_TRUE(r.fresh(bob, scouts, 0));
  r.set(conn(2), bob, coaches, 0);  // the laptop shows coaches
  EXPECT_TRUE(r.fresh(bob, coaches, 0));
  EXPECT_EQ(r.size(), 2u);
  r.clear(conn(2), bob);  // null focus, or the connection closed
  EXPECT_FALSE(r.fresh(bob, coaches, 0));
  r.clear(conn(1), bob);
  EXPECT_EQ(r.size(), 0u) << "nothing is kept for a connection that is gone";
  r.clear(conn(1), bob);  // twice is harmless
}

}  // namespace
}  // namespace peerchat::unit
