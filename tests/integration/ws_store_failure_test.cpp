// SPDX-License-Identifier: MIT
// A store that fails costs the client whose work failed an `internal` error and nothing
// more: the server stays up, every other client carries on, and once the store reads again
// the client that failed resumes as usual.
//
// The failure is a real one, made from outside the server the way a damaged schema or a
// failing disk would: the table the work reads is renamed away, so SQLite answers "no such
// table" and the store throws. (CI runs as root, so chmod fails nothing; max_page_count is
// a setting of one connection and cannot be set on the server's from outside; a full disk
// (RLIMIT_FSIZE) fails writes only, which the writer already turns into `internal`
// results; and the reader pool reuses its connections, so a descriptor limit would fail a
// read only when two happen to overlap.)
#include "peerchat/store/database.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_store_failure_test : public coaches_test {
 protected:
  // Runs SQL on the server's database through a connection of its own, as an operator's
  // tool would.
  void run_sql(std::string const& sql) {
    store::database db(srv.data_dir() / "peerchat.db", store::database::mode::read_write);
    db.exec(sql);
  }

  // The connection still answers, in order: a ping's pong comes back.
  static void expect_alive(ws_client& ws, char const* who) {
    ASSERT_TRUE(ws.send_json({{"type", "ping"}})) << who;
    auto pong = ws.read_until(frame_type("pong"), 5s);
    EXPECT_TRUE(pong.has_value()) << who << " got no pong; the connection ended: " << ws.end().code << " "
                                  << ws.end().reason << " " << ws.end().error;
  }

  // An `internal` error frame, then a close with 1011.
  static void expect_internal_then_close(ws_client& ws) {
    auto err = ws.read_until(frame_type("error"), 10s);
    ASSERT_TRUE(err.has_value()) << "no error frame; the connection ended: " << ws.end().code << " " << ws.end().error;
    EXPECT_EQ(err->value("code", ""), "internal") << err->dump();
    auto end = ws.read_close(10s);
    EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
    EXPECT_EQ(end.code, 1011) << end.reason;
  }
};

TEST_F(ws_store_failure_test, AReplayTheStoreCannotReadGetsInternalAndTheServerStaysUp) {
  auto alice = srv.connect("alice");
  auto carol = srv.connect("carol");
  auto bob = srv.connect("bob");
  auto seen = last_seq_in_ready(bob->last_frame(), coaches);
  bob->drop();

  run_sql("ALTER TABLE events RENAME TO events_unreadable");
  auto back = std::make_unique<ws_client>();
  ASSERT_TRUE(back->connect(srv.port()));
  ASSERT_TRUE(back->hello(srv.token("bob"), {{std::to_string(coaches), seen}}).has_value()) << back->last_frame().dump();
  expect_internal_then_close(*back);

  // Nobody else noticed.
  expect_alive(*alice, "alice");
  expect_alive(*carol, "carol");
  EXPECT_STATUS(srv.http().get("/healthz"), 200);

  // The store reads again: messages flow, and bob resumes where he was.
  run_sql("ALTER TABLE events_unreadable RENAME TO events");
  ASSERT_TRUE(alice->send_json(send_frame(coaches, "after-1", "after the failure")));
  auto live = read_events(*carol, coaches, 1, 10s);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].value("body", ""), "after the failure");
  auto resumed = srv.connect("bob", {{std::to_string(coaches), seen}});
  auto missed = read_events(*resumed, coaches, 1, 10s);
  EXPECT_EQ(seqs_of(missed), std::vector<std::int64_t>{seen + 1});
}

TEST_F(ws_store_failure_test, AHelloTheStoreCannotAnswerGetsInternalAndTheServerStaysUp) {
  auto alice = srv.connect("alice");
  auto const last = last_seq_in_ready(alice->last_frame(), coaches);

  // The group list of `ready` counts unread messages: that read fails now.
  run_sql("ALTER TABLE messages RENAME TO messages_unreadable");
  auto bob = std::make_unique<ws_client>();
  ASSERT_TRUE(bob->connect(srv.port()));
  EXPECT_FALSE(bob->hello(srv.token("bob")).has_value());
  EXPECT_EQ(bob->last_frame().value("type", ""), "error") << bob->last_frame().dump();
  EXPECT_EQ(bob->last_frame().value("code", ""), "internal") << bob->last_frame().dump();
  auto end = bob->read_close(10s);
  EXPECT_EQ(end.code, 1011) << end.reason << " " << end.error;

  expect_alive(*alice, "alice");
  EXPECT_STATUS(srv.http().get("/healthz"), 200);

  run_sql("ALTER TABLE messages_unreadable RENAME TO messages");
  auto again = srv.connect("bob");
  EXPECT_EQ(last_seq_in_ready(again->last_frame(), coaches), last);
}

}  // namespace
}  // namespace peerchat::test
