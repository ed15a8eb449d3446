// SPDX-License-Identifier: MIT
// A full disk on the write path (item 21 of issue 10): the store refuses the message — no
// ack, an `internal` error frame naming it — the server stays up, and once there is room
// again the same client_msg_id goes through, stored once. The real binary; RLIMIT_FSIZE
// on its process stands in for a full disk (a small tmpfs needs privileges CI may lack).
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <cerrno>
#include <cstring>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

// Sets the server's file-size limit: every write past `bytes` into any file fails (EFBIG).
bool limit_file_size(int pid, rlim_t bytes) {
  struct rlimit lim {bytes, RLIM_INFINITY};
  return ::prlimit(pid, RLIMIT_FSIZE, &lim, nullptr) == 0;
}

class disk_full_test : public alice_binary_test {};

TEST_F(disk_full_test, ASendThatCannotBeStoredIsRefusedAndTheServerRecovers) {
  ws_client ws;
  ASSERT_TRUE(ws.connect(server.port()) && ws.hello(token)) << ws.error();
  ASSERT_TRUE(ws.send_json(send_frame(group, "before", "room enough")));
  auto ack = ws.read_until(frame_type("ack"), 10s);
  ASSERT_TRUE(ack) << ws.last_frame();

  // The disk is full: nothing more fits in any file.
  ASSERT_TRUE(limit_file_size(server.pid(), 0)) << std::strerror(errno);
  ASSERT_TRUE(ws.send_json(send_frame(group, "full", "no room for this")));
  auto answer = ws.read_until([](json const& f) { return f.value("type", "") != "event"; }, 20s);
  ASSERT_TRUE(answer) << "no answer to a send the store could not take (" << ws.error() << ", last frame " << ws.last_frame() << "); log: " << server.log();
  EXPECT_EQ(answer->value("type", ""), "error") << *answer;
  EXPECT_EQ(answer->value("code", ""), "internal") << *answer;
  EXPECT_EQ(answer->value("ref", ""), "full") << *answer;
  // Nothing else (no ack, no event) before the pong that answers a later ping.
  ASSERT_TRUE(ws.send_json({{"type", "ping"}}));
  auto pong = ws.read_json(10s);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->value("type", ""), "pong") << *pong;
  EXPECT_TRUE(server.running());
  EXPECT_STATUS(server.http().get("/healthz"), 200);

  // Room again: the client's retry with the same client_msg_id is stored, once.
  ASSERT_TRUE(limit_file_size(server.pid(), RLIM_INFINITY));
  ASSERT_TRUE(ws.send_json(send_frame(group, "full", "no room for this")));
  auto retried = ws.read_until(frame_type("ack"), 10s);
  ASSERT_TRUE(retried) << ws.last_frame() << "\n" << server.log();
  EXPECT_EQ(retried->value("client_msg_id", ""), "full");
  auto events = server.http().get(test_server::api("/groups/" + std::to_string(group) + "/events?after=0"), token);
  ASSERT_STATUS(events, 200);
  int stored = 0;
  auto body = events.json();
  for (auto const& e : body["events"])
    if (e.value("client_msg_id", "") == "full") ++stored;
  EXPECT_EQ(stored, 1) << events;
  EXPECT_EQ(retried->value("seq", std::int64_t{0}), ack->value("seq", std::int64_t{0}) + 1) << "no seq was used up";
}

}  // namespace
}  // namespace peerchat::test
