// SPDX-License-Identifier: MIT
// Logins under abuse (issue 10, items 6 and 7), on the real server: oversized usernames are
// refused before they are kept, failed usernames do not grow memory, and a guesser at one
// address does not lock the owner out at another (a client socket bound to 127.0.0.2).
#include "support/test_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <sstream>

namespace peerchat::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class login_abuse_test : public ::testing::Test {
 protected:
  void SetUp() override {
    srv.config().limits.login_per_minute = 10;  // the default: this is what a guesser meets
    srv.config().limits.limiter_keys = 20;
    srv.create_user("alice", true);
    srv.start();
  }

  http_response login(std::string const& username, std::string const& password) {
    return srv.http().post(test_server::api("/sessions"), {{"username", username}, {"password", password}});
  }

  // POST /sessions from a socket bound to local_ip (any 127.x.y.z reaches the server on
  // 127.0.0.1), so the server sees another client address. Returns the HTTP status.
  int login_from(std::string const& local_ip, std::string const& username, std::string const& password) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.socket().open(tcp::v4());
    stream.socket().bind(tcp::endpoint(net::ip::make_address(local_ip), 0));
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), srv.port()));
    beast::http::request<beast::http::string_body> req{beast::http::verb::post, test_server::api("/sessions"), 11};
    req.set(beast::http::field::host, "127.0.0.1");
    req.set(beast::http::field::content_type, "application/json");
    req.body() = json{{"username", username}, {"password", password}}.dump();
    req.prepare_payload();
    beast::http::write(stream, req);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> res;
    beast::http::read(stream, buffer, res);
    return static_cast<int>(res.result_int());
  }

  // A gauge of /metrics, or -1 when it is missing.
  double gauge(std::string const& name) {
    auto r = srv.http().get("/metrics", test_metrics_token);
    std::istringstream lines(r.body);
    std::string line;
    while (std::getline(lines, line))
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    return -1;
  }

  test_server srv;
};

// The probe: 300 logins with 1 MB usernames grew the server by 318 MB.
TEST_F(login_abuse_test, AHugeUsernameIsBadRequest) {
  EXPECT_ERROR(login(std::string(1'000'000, 'a'), "a password guess"), 400, "bad_request");
  EXPECT_ERROR(login("alice", std::string(2000, 'p')), 400, "bad_request");
  EXPECT_EQ(gauge("peerchat_login_limiter_keys"), 0) << "nothing of a refused login is kept";
}

TEST_F(login_abuse_test, ManyFailedUsernamesDoNotGrowTheLimiterTables) {
  // From one address the per-address budget (30 a minute) stops this first; the tables stay
  // bounded by --rate-limit-keys (20 here) whatever gets through.
  int unauthorized = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = login("nobody" + std::to_string(i), "a password guess");
    ASSERT_TRUE(r.status == 401 || r.status == 429) << r;
    unauthorized += r.status == 401;
  }
  EXPECT_GE(unauthorized, 20);
  double keys = gauge("peerchat_login_limiter_keys");
  EXPECT_GE(keys, 1);
  EXPECT_LE(keys, 4 * 20) << "four tables of at most 20 keys each";
}

// The probe: ten wrong passwords for alice made her correct password 429 everywhere.
TEST_F(login_abuse_test, WrongPasswordsFromOneAddressDoNotLockTheOwnerOut) {
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = login("alice", "guess number " + std::to_string(i));  // from 127.0.0.1
    ASSERT_TRUE(r.status == 401 || r.status == 429) << r;
    limited += r.status == 429;
  }
  EXPECT_GE(limited, 2) << "the guesser must be stopped after 10";
  EXPECT_ERROR(login("alice", password_for("alice")), 429, "rate_limited");  // at the guesser's address
  EXPECT_EQ(login_from("127.0.0.2", "alice", password_for("alice")), 201) << "alice from her own address";
}

}  // namespace
}  // namespace peerchat::test
