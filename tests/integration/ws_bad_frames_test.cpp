// SPDX-License-Identifier: MIT
// Bad WebSocket input: each bad frame gets an error frame and the connection stays open;
// protocol violations close it with the contract's code; the server keeps serving others.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class ws_bad_frames_test : public coaches_test {
 protected:
  void configure(peerchat::config& cfg) override { cfg.limits.hello_timeout = std::chrono::seconds(1); }

  // The connection still answers a ping.
  static void expect_alive(ws_client& ws) {
    ASSERT_TRUE(ws.send_json({{"type", "ping"}}));
    auto pong = ws.read_until(frame_type("pong"), 3s);
    EXPECT_TRUE(pong.has_value()) << "no pong; connection ended: " << ws.end().code << " " << ws.end().error;
  }

  static json expect_error_frame(ws_client& ws, std::string const& code) {
    auto err = ws.read_until(frame_type("error"), 3s);
    EXPECT_TRUE(err.has_value()) << "no error frame";
    if (!err) return nullptr;
    EXPECT_EQ(err->value("code", ""), code) << err->dump();
    EXPECT_TRUE(err->contains("message")) << err->dump();
    return *err;
  }

  // The server still serves HTTP and new WebSocket clients.
  void expect_still_serving() {
    EXPECT_STATUS(srv.http().get("/healthz"), 200);
    auto fresh = srv.connect("carol");
    expect_alive(*fresh);
  }
};

TEST_F(ws_bad_frames_test, InvalidJsonGetsAnErrorAndTheConnectionStays) {
  auto ws = srv.connect("bob");
  for (std::string bad : {"{", "not json", "[1,2", "{\"type\":}", "", "null", "[]", "42"}) {
    SCOPED_TRACE(bad);
    ASSERT_TRUE(ws->send_text(bad));
    expect_error_frame(*ws, "bad_request");
    expect_alive(*ws);
  }
}

TEST_F(ws_bad_frames_test, UnknownTypesAndBadShapesGetErrors) {
  auto ws = srv.connect("bob");
  std::vector<json> bad = {
      {{"type", "launch_missiles"}},
      {{"kind", "send"}},
      {{"type", 7}},
      {{"type", "send"}, {"group_id", coaches}, {"body", "no id"}},
      {{"type", "send"}, {"group_id", coaches}, {"client_msg_id", "x"}},
      {{"type", "send"}, {"group_id", "one"}, {"client_msg_id", "x"}, {"body", "b"}},
      {{"type", "send"}, {"group_id", coaches}, {"client_msg_id", "x"}, {"body", std::string(8001, 'b')}},
      {{"type", "send"}, {"group_id", coaches}, {"client_msg_id", "x"}, {"body", "   "}},
      {{"type", "read"}, {"group_id", coaches}, {"seq", "last"}},
      {{"type", "hello"}, {"token", "again"}},
  };
  for (auto const& frame : bad) {
    SCOPED_TRACE(frame.dump().substr(0, 200));
    ASSERT_TRUE(ws->send_json(frame));
    expect_error_frame(*ws, "bad_request");
  }
  expect_alive(*ws);
  // None of it was stored.
  for (auto const& e : srv.events("alice", coaches)) EXPECT_NE(e.value("kind", ""), "message") << e.dump();
}

TEST_F(ws_bad_frames_test, SendingToAGroupOneIsNotInIsNotFound) {
  auto ws = srv.connect("dave");
  ASSERT_TRUE(ws->send_json(send_frame(coaches, "sneak", "let me in")));
  auto err = expect_error_frame(*ws, "not_found");
  ASSERT_TRUE(ws->send_json(send_frame(987654, "nowhere", "hello?")));
  expect_error_frame(*ws, "not_found");
  expect_alive(*ws);
  for (auto const& e : srv.events("alice", coaches)) EXPECT_NE(e.value("client_msg_id", ""), "sneak");
}

TEST_F(ws_bad_frames_test, DeeplyNestedJsonIsRefusedWithoutHarm) {
  auto ws = srv.connect("bob");
  ASSERT_TRUE(ws->send_text("{\"type\":\"ping\",\"x\":" + std::string(32, '[') + std::string(32, ']') + "}"));
  expect_error_frame(*ws, "bad_request");
  ASSERT_TRUE(ws->send_text(std::string(60000, '[')));
  expect_error_frame(*ws, "bad_request");
  expect_alive(*ws);
  expect_still_serving();
}

TEST_F(ws_bad_frames_test, AFrameOver64KiBClosesWith1009) {
  auto ws = srv.connect("bob");
  // Just under the limit is a (too long) message, answered with an error.
  std::string body(60 * 1024, 'x');
  ASSERT_TRUE(ws->send_json(send_frame(coaches, "big", body)));
  expect_error_frame(*ws, "bad_request");
  expect_alive(*ws);
  // Over it, the connection ends.
  ASSERT_TRUE(ws->send_text(std::string(64 * 1024 + 1, ' ')));
  auto end = ws->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
  EXPECT_EQ(end.code, 1009);
  expect_still_serving();
}

TEST_F(ws_bad_frames_test, InvalidUtf8ClosesWith1007) {
  auto ws = srv.connect("bob");
  ASSERT_TRUE(ws->send_text("{\"type\":\"ping\",\"note\":\"\xff\xfe\"}"));
  auto end = ws->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
  EXPECT_EQ(end.code, 1007);
  expect_still_serving();
}

TEST_F(ws_bad_frames_test, TwentyBadFramesInARowCloseWith1008) {
  auto ws = srv.connect("bob");
  // 19 in a row, then a good one: the count starts again.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 19; ++i) ASSERT_TRUE(ws->send_text("garbage"));
    expect_alive(*ws);
  }
  for (int i = 0; i < 20; ++i) {
    if (!ws->send_text("garbage")) break;
  }
  auto end = ws->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
  EXPECT_EQ(end.code, 1008);
  expect_still_serving();
}

TEST_F(ws_bad_frames_test, AForeignOriginIsRefusedBeforeTheUpgrade) {
  for (std::string origin : {"http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"}) {
    SCOPED_TRACE(origin);
    ws_client ws;
    ws_options opts;
    opts.origin = origin;
    EXPECT_FALSE(ws.connect(srv.port(), opts));
    EXPECT_EQ(ws.upgrade_status(), 403) << ws.error();
  }
  ws_client same_origin;
  ws_options opts;
  opts.origin = srv.origin();
  ASSERT_TRUE(same_origin.connect(srv.port(), opts)) << same_origin.error() << " " << same_origin.upgrade_status();
  EXPECT_TRUE(same_origin.hello(srv.token("bob")).has_value());
  // Clients that are not browsers send no Origin at all.
  ws_client bot;
  ASSERT_TRUE(bot.connect(srv.port()));
  EXPECT_TRUE(bot.hello(srv.token("bob")).has_value());
}

TEST_F(ws_bad_frames_test, NoHelloInTimeClosesTheConnection) {
  ws_client ws;
  ASSERT_TRUE(ws.connect(srv.port()));
  auto const started = std::chrono::steady_clock::now();
  auto end = ws.read_close(6s);
  auto const took = std::chrono::steady_clock::now() - started;
  EXPECT_NE(end.how, ws_close::outcome::open) << "still open 6 s after a 1 s hello timeout";
  EXPECT_GE(took, 800ms);
  if (end.how == ws_close::outcome::closed) {
    EXPECT_EQ(end.code, 4001) << end.reason;
  }
}

TEST_F(ws_bad_frames_test, ABadTokenOrAFirstFrameThatIsNotHelloCloses4001) {
  {
    ws_client ws;
    ASSERT_TRUE(ws.connect(srv.port()));
    EXPECT_FALSE(ws.hello("not-a-real-token").has_value());
    auto end = ws.read_close(3s);
    EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
    EXPECT_EQ(end.code, 4001);
  }
  {
    ws_client ws;
    ASSERT_TRUE(ws.connect(srv.port()));
    ASSERT_TRUE(ws.send_json(send_frame(coaches, "early", "before hello")));
    auto end = ws.read_close(3s);
    EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
    EXPECT_EQ(end.code, 4001);
  }
  {
    ws_client ws;
    ASSERT_TRUE(ws.connect(srv.port()));
    EXPECT_FALSE(ws.hello().has_value()) << "hello without a token or cookie";
    auto end = ws.read_close(3s);
    EXPECT_EQ(end.code, 4001);
  }
  for (auto const& e : srv.events("alice", coaches)) EXPECT_NE(e.value("client_msg_id", ""), "early");
  expect_still_serving();
}

TEST_F(ws_bad_frames_test, BinaryFramesDoNotHurt) {
  auto ws = srv.connect("bob");
  ws->send_binary(std::string("\x00\x01\x02\xff", 4));
  // An error frame or a close are both fair answers (so no pong is required); the server must go on.
  (void)ws->frames_before_pong();
  expect_still_serving();
}

class ws_rate_limit_test : public coaches_test {
 protected:
  void configure(peerchat::config& cfg) override {
    cfg.limits.send_per_second = 1;
    cfg.limits.send_burst = 3;
  }
};

TEST_F(ws_rate_limit_test, SendingTooFastIsRateLimitedAndTheConnectionStays) {
  auto ws = srv.connect("bob");
  constexpr int n = 8;
  for (int i = 0; i < n; ++i) ASSERT_TRUE(ws->send_json(send_frame(coaches, "fast-" + std::to_string(i), "fast")));
  int acks = 0, limited = 0;
  for (int i = 0; i < 4 * n && acks + limited < n; ++i) {
    auto f = ws->read_json(5s);
    ASSERT_TRUE(f.has_value()) << ws->error();
    if (f->value("type", "") == "ack") ++acks;
    if (f->value("type", "") == "error") {
      ++limited;
      EXPECT_EQ(f->value("code", ""), "rate_limited") << f->dump();
      EXPECT_GT(f->value("retry_after_ms", std::int64_t{0}), 0) << f->dump();
    }
  }
  EXPECT_GE(acks, 3);
  EXPECT_LE(acks, 4);
  EXPECT_EQ(acks + limited, n);
  ASSERT_TRUE(ws->send_json({{"type", "ping"}}));
  EXPECT_TRUE(ws->read_until(frame_type("pong"), 3s).has_value());
}

}  // namespace
}  // namespace peerchat::test
