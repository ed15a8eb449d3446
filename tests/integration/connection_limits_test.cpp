// SPDX-License-Identifier: MIT
// Issue 10 items 7–9: one client cannot hold every socket (caps on open connections),
// cannot hold one forever by trickling headers (header timeout), and cannot spend the
// server on HTTP requests (a budget per client address, which a trusted proxy forwards).
#include "raw_socket.hpp"
#include "support/test_server.hpp"

#include <memory>
#include <vector>

namespace peerchat::test {
namespace {

TEST(connection_limits_test, ThePerAddressCapRefusesOneMoreAndTheOthersWork) {
  test_server srv;
  srv.config().limits.max_connections_per_address = 3;
  srv.start();
  std::vector<std::unique_ptr<raw_socket>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<raw_socket>(srv.port()));
    ASSERT_TRUE(held.back()->connected());
  }
  raw_socket extra(srv.port());
  std::string answer;
  ASSERT_TRUE(extra.wait_closed(std::chrono::seconds(5), &answer)) << "the 4th connection must be closed at once";
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 503 Service Unavailable");
  for (auto& s : held) EXPECT_EQ(s->request("/healthz"), "HTTP/1.1 200 OK");
  // Those three have closed: their places are free again.
  EXPECT_TRUE(wait_until([&] { return raw_socket(srv.port()).request("/healthz") == "HTTP/1.1 200 OK"; }, 5s));
}

TEST(connection_limits_test, TheTotalCapCountsWebSocketsToo) {
  test_server srv;
  srv.config().limits.max_connections = 2;
  srv.start();
  srv.create_user("alice", true);
  auto ws = srv.connect("alice");  // one place, kept after the upgrade
  // A second connection that answered and stays open: now the WebSocket and it are the two
  // open ones (the logins' connections may take a moment to be counted out: retry).
  std::unique_ptr<raw_socket> second;
  ASSERT_TRUE(wait_until(
      [&] {
        second = std::make_unique<raw_socket>(srv.port());
        return second->request_keep_alive("/healthz") == "HTTP/1.1 200 OK";
      },
      5s));
  raw_socket third(srv.port());
  EXPECT_TRUE(third.wait_closed(std::chrono::seconds(5))) << "over the total cap";
  EXPECT_EQ(second->request_keep_alive("/healthz"), "HTTP/1.1 200 OK");
  second.reset();
  ws->close();
  // The WebSocket gave its place back when it closed.
  EXPECT_TRUE(wait_until(
      [&] {
        raw_socket a(srv.port()), b(srv.port());
        return a.request_keep_alive("/healthz") == "HTTP/1.1 200 OK" &&
               b.request_keep_alive("/healthz") == "HTTP/1.1 200 OK";
      },
      5s));
}

TEST(connection_limits_test, ASlowHeaderIsCutOffAtTheHeaderTimeout) {
  test_server srv;
  srv.config().limits.header_timeout = std::chrono::seconds(1);
  srv.start();
  raw_socket slow(srv.port());
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));  // half a header
  auto started = std::chrono::steady_clock::now();
  // Before the fix the server waited 30 s.
  EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(8))) << "the server must close a connection stuck in its headers";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
  EXPECT_EQ(raw_socket(srv.port()).request("/healthz"), "HTTP/1.1 200 OK");
}

TEST(connection_limits_test, HttpRequestsAreBudgetedPerAddressWith429AndRetryAfter) {
  test_server srv;
  srv.config().limits.http_per_second = 0.01;
  srv.config().limits.http_burst = 3;
  srv.start();
  auto http = srv.http();
  for (int i = 0; i < 3; ++i) ASSERT_STATUS(http.get("/healthz"), 200);
  auto refused = http.get("/api/v1/me");
  ASSERT_STATUS(refused, 429);
  EXPECT_EQ(refused.error_code(), "rate_limited");
  EXPECT_GT(refused.json()["error"].value("retry_after_ms", 0), 0);
  EXPECT_FALSE(refused.header("Retry-After").empty());
  // X-Forwarded-For from a peer that is no trusted proxy is the client's own claim: ignored.
  request_options spoofed;
  spoofed.headers = {{"X-Forwarded-For", "203.0.113.9"}};
  EXPECT_STATUS(http.request(http::verb::get, "/healthz", std::nullopt, spoofed), 429);
  // The web client's own files (from memory, no store) are not budgeted: a first visit with its
  // service worker fetches dozens of them, and the app must still load for this address.
  for (int i = 0; i < 10; ++i) ASSERT_STATUS(http.get(i % 2 ? "/app.js" : "/"), 200);
}

TEST(connection_limits_test, BehindATrustedProxyEachForwardedClientHasItsOwnBudget) {
  test_server srv;
  srv.config().limits.http_per_second = 0.01;
  srv.config().limits.http_burst = 2;
  srv.config().trusted_proxies = "127.0.0.0/8, ::1";
  srv.start();
  auto http = srv.http();
  auto from = [&](std::string const& chain) {
    request_options o;
    o.headers = {{"X-Forwarded-For", chain}};
    return http.request(http::verb::get, "/healthz", std::nullopt, o);
  };
  EXPECT_STATUS(from("203.0.113.1"), 200);
  EXPECT_STATUS(from("203.0.113.1"), 200);
  EXPECT_STATUS(from("203.0.113.1"), 429);
  // The right-most untrusted hop is the client: a forged left part does not pick another budget.
  EXPECT_STATUS(from("198.51.100.7, 203.0.113.1"), 429);
  EXPECT_STATUS(from("203.0.113.2"), 200) << "another client behind the same proxy";
}

}  // namespace
}  // namespace peerchat::test
