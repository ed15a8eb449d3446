// SPDX-License-Identifier: MIT
// The server reads WebSocket frames with its own reader (issue 15): the closing handshake,
// frames that arrive a byte at a time and protocol violations, seen from a raw socket, so
// every byte the server sends is checked, not what a client library makes of it.
#include "raw_socket.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

// A client frame: FIN, the opcode, masked with a fixed key (RFC 6455 section 5.3).
std::string client_frame(std::uint8_t opcode, std::string const& payload, bool masked = true) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  f.push_back(static_cast<char>((masked ? 0x80 : 0) | payload.size()));  // payloads here are < 126 bytes
  std::uint8_t const key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.append(reinterpret_cast<char const*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f.push_back(static_cast<char>(masked ? payload[i] ^ key[i % 4] : payload[i]));
  return f;
}

std::string close_payload(std::uint16_t code, std::string const& reason = "") {
  return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)} + reason;
}

class ws_closing_test : public ::testing::Test {
 protected:
  void SetUp() override { srv.start(); }

  // Opens a WebSocket on a raw socket; true once the server answered 101.
  bool upgrade(raw_socket& s) {
    std::string got;
    return s.send("GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n") &&
           s.read_until("\r\n\r\n", 5s, got) && got.starts_with("HTTP/1.1 101");
  }

  // Reads everything until the server ends the TCP connection; "" if it did not within 5 s.
  static std::string rest_until_closed(raw_socket& s) {
    std::string got;
    return s.wait_closed(5s, &got) ? got : "(still open after 5 s) " + got;
  }

  // The server's close frame: FIN + opcode 8, its length, the code, the reason.
  static std::string server_close(std::uint16_t code, std::string const& reason) {
    auto payload = close_payload(code, reason);
    return std::string{'\x88', static_cast<char>(payload.size())} + payload;
  }

  test_server srv;
};

TEST_F(ws_closing_test, AClientsCloseIsAnsweredWithItsCodeAndTheConnectionEnds) {
  raw_socket s(srv.port());
  ASSERT_TRUE(upgrade(s));
  ASSERT_TRUE(s.send(client_frame(0x8, close_payload(1000, "bye"))));
  EXPECT_EQ(rest_until_closed(s), server_close(1000, ""));
}

TEST_F(ws_closing_test, APingIsAnsweredWithItsPayload) {
  raw_socket s(srv.port());
  ASSERT_TRUE(upgrade(s));
  ASSERT_TRUE(s.send(client_frame(0x9, "are you there")));
  std::string got;
  EXPECT_TRUE(s.read_until("are you there", 5s, got));
  EXPECT_EQ(got, std::string("\x8a\x0d") + "are you there");
}

TEST_F(ws_closing_test, AFrameArrivingOneByteAtATimeIsReadWhole) {
  raw_socket s(srv.port());
  ASSERT_TRUE(upgrade(s));
  // A hello with a token nobody has: read whole, it is refused like any bad token.
  for (char c : client_frame(0x1, R"({"type":"hello","token":"not-a-token"})"))
    ASSERT_TRUE(s.send(std::string(1, c)));
  std::string got;
  EXPECT_TRUE(s.read_until("token", 5s, got));
  EXPECT_EQ(got, server_close(4001, "invalid or expired token"));
  // The server closed first: it waits for the client's answer, then ends the connection.
  ASSERT_TRUE(s.send(client_frame(0x8, close_payload(4001))));
  EXPECT_EQ(rest_until_closed(s), "");
}

TEST_F(ws_closing_test, AnUnmaskedFrameClosesWith1002) {
  raw_socket s(srv.port());
  ASSERT_TRUE(upgrade(s));
  ASSERT_TRUE(s.send(client_frame(0x1, R"({"type":"ping"})", /*masked=*/false)));
  EXPECT_EQ(rest_until_closed(s), server_close(1002, "client frames must be masked"));
}

TEST_F(ws_closing_test, AFragmentedPingClosesWith1002AndTheServerGoesOn) {
  raw_socket s(srv.port());
  ASSERT_TRUE(upgrade(s));
  std::string frame = client_frame(0x9, "x");
  frame[0] = 0x09;  // FIN cleared: a control frame may not be fragmented
  ASSERT_TRUE(s.send(frame));
  EXPECT_EQ(rest_until_closed(s), server_close(1002, "a fragmented control frame"));
  raw_socket next(srv.port());
  EXPECT_TRUE(upgrade(next));
}

// Keep-alive with a two-second interval (a client under a sanitizer on a busy machine still
// answers within it): a ping after a silent interval, the connection dropped after a second
// silent one, and kept while the client answers.
class ws_keep_alive_test : public ws_closing_test {
 protected:
  void SetUp() override {
    srv.config().limits.keep_alive = 2s;
    srv.start();
    srv.create_user("alice");
  }
  // Upgrades and says hello as alice; true once `ready` came. What came is in `got`.
  bool ready(raw_socket& s, std::string& got) {
    std::string hello = R"({"type":"hello","token":")" + srv.token("alice") + R"("})";
    return upgrade(s) && hello.size() < 126 && s.send(client_frame(0x1, hello)) &&
           s.read_until(R"("type":"ready")", 5s, got);
  }
  static inline std::string const server_ping{"\x89\x00", 2};
};

TEST_F(ws_keep_alive_test, ASilentClientGetsAPingAndIsDroppedWhenItStaysSilent) {
  raw_socket s(srv.port());
  std::string got;
  ASSERT_TRUE(ready(s, got));
  ASSERT_TRUE(s.read_until(server_ping, 10s, got)) << "no ping after a silent interval";
  EXPECT_TRUE(got.ends_with(server_ping));  // a frame of its own, the last thing sent
  std::string rest;
  EXPECT_TRUE(s.wait_closed(10s, &rest)) << "still open after a second silent interval";
  EXPECT_EQ(rest, "");  // dropped: a peer that does not answer would not read a close frame
}

TEST_F(ws_keep_alive_test, AClientThatAnswersItsPingsStaysConnected) {
  raw_socket s(srv.port());
  std::string got;
  ASSERT_TRUE(ready(s, got));
  for (int ping = 0; ping < 2; ++ping) {  // the second comes after a silent client was dropped
    std::string next;
    ASSERT_TRUE(s.read_until(server_ping, 10s, next)) << "ping " << ping;
    ASSERT_TRUE(s.send(client_frame(0xA, "")));
  }
  ASSERT_TRUE(s.send(client_frame(0x1, R"({"type":"ping"})")));
  std::string answer;
  EXPECT_TRUE(s.read_until(R"({"type":"pong"})", 5s, answer));
}

}  // namespace
}  // namespace peerchat::test
