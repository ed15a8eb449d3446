// SPDX-License-Identifier: MIT
// An in-process peerchat server on 127.0.0.1:0 with a fresh data dir, accounts made by the
// real CLI, and helpers that walk the API the way a client would (log in, create a group,
// invite, join, connect a WebSocket).
#pragma once
#include "peerchat/core/config.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace peerchat::gateway {
class server;
}

namespace peerchat::test {

// The /metrics bearer token of every test_server (GET /metrics is 404 without a token).
inline constexpr char test_metrics_token[] = "test-metrics-token";

// A unique, empty directory under the system temp dir, removed on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(temp_dir const&) = delete;
  temp_dir& operator=(temp_dir const&) = delete;
  std::filesystem::path const& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct account {
  std::string username;
  std::string display_name;
  std::string password;
  std::int64_t id = 0;     // known once logged in
  std::string token;       // from the latest login
};

// "alice" → "alice-password-1" (the contract wants ≥ 10 bytes).
std::string password_for(std::string const& username);

// Creates an account with `peerchat admin create-user … --password-stdin` (works whether or
// not a server runs on the data dir). Throws with the CLI's output when it fails.
void create_user_cli(std::filesystem::path const& data_dir, std::string const& username,
                     std::string const& display_name, std::string const& password, bool admin);

// Thread safety: the helpers are for the test thread; http() clients may be used from any.
class test_server {
 public:
  test_server();
  ~test_server();  // stops the server and removes the data dir
  test_server(test_server const&) = delete;
  test_server& operator=(test_server const&) = delete;

  // The configuration start() will use. Tests start with relaxed send and login limits so
  // that only the tests about limits meet them; change them here before start().
  peerchat::config& config() { return config_; }
  std::filesystem::path const& data_dir() const { return dir_.path(); }

  void start();  // binds 127.0.0.1:0 and records the port
  void stop();   // graceful; idempotent
  bool running() const { return server_ != nullptr; }
  std::uint16_t port() const { return port_; }
  // The port of config().metrics_listen once started (0 when none).
  std::uint16_t metrics_port() const;
  http_client http() const { return http_client(port_); }
  // The origin a browser on the public URL would send.
  std::string origin() const;

  // Accounts.
  account& create_user(std::string const& username, bool admin = false);
  account& user(std::string const& username);
  // POST /api/v1/sessions; records id and token. Throws unless 201.
  std::string const& login(std::string const& username);
  // The user's token, logging in first when there is none.
  std::string const& token(std::string const& username);
  std::int64_t id(std::string const& username);

  // Groups, invites, memberships (throw unless the server agrees).
  std::int64_t create_group(std::string const& owner, std::string const& name, std::string const& topic = {});
  json create_invite(std::string const& by, std::int64_t group, json const& options = json::object());
  void join(std::string const& username, std::int64_t group, std::string const& inviter = "alice");
  void set_role(std::string const& by, std::int64_t group, std::string const& username, std::string const& role);
  json group(std::string const& by, std::int64_t group);

  // POST /groups/{id}/messages; returns the message event. Throws unless 201.
  json send(std::string const& by, std::int64_t group, std::string const& body,
            std::string client_msg_id = {});
  // Every event of a group after `after`, through GET /events (paged).
  std::vector<json> events(std::string const& by, std::int64_t group, std::int64_t after = 0);

  // A WebSocket connection that has said hello and received ready (its last_frame()).
  // Throws otherwise.
  std::unique_ptr<ws_client> connect(std::string const& username, json const& resume = nullptr,
                                     ws_options const& options = {});

  static std::string api(std::string const& path) { return "/api/v1" + path; }

 private:
  temp_dir dir_;
  peerchat::config config_;
  std::unique_ptr<peerchat::gateway::server> server_;
  std::uint16_t port_ = 0;
  std::map<std::string, account> accounts_;
  int next_msg_ = 0;
};

// The cast most tests use: alice (server admin, owner of "coaches"), bob and carol
// (members of it), dave (an account in no group). Override configure() to change limits.
class coaches_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  virtual void configure(peerchat::config&) {}

  test_server srv;
  std::int64_t coaches = 0;
};

// The keys of a JSON object, sorted (for "nothing else is revealed" checks).
std::vector<std::string> keys_of(json const& object);
// Percent-encodes every byte outside [A-Za-z0-9-._~] (emoji in paths, search queries).
std::string url_encode(std::string_view s);
// `n` copies of a UTF-8 string.
std::string repeat(std::string_view s, std::size_t n);
inline bool is_2xx(int status) { return status >= 200 && status < 300; }

// Reads frames until `count` events of `group` have arrived or the deadline passes, and
// returns those events in arrival order; every other frame is appended to `others`.
std::vector<json> read_events(ws_client& ws, std::int64_t group, std::size_t count,
                              std::chrono::milliseconds timeout, std::vector<json>* others = nullptr);
// Every frame that arrives before the answer to a ping (for "nothing more came" checks: the
// server answers in order, so no fixed wait is needed). Adds a test failure when no pong came.
std::vector<json> frames_before_pong(ws_client& ws);
// The seqs of events, in order.
std::vector<std::int64_t> seqs_of(std::vector<json> const& events);
// from, from+1, …, to.
std::vector<std::int64_t> seq_range(std::int64_t from, std::int64_t to);
// The group's last_seq as a `ready` frame reports it (-1 when the group is not listed).
std::int64_t last_seq_in_ready(json const& ready, std::int64_t group);
// The value of a metric in /metrics text (a sample without labels), or -1 when absent.
double metric(std::string const& text, std::string const& name);
// A `send` frame.
json send_frame(std::int64_t group, std::string const& client_msg_id, std::string const& body);
// Sends n messages of `body` (client_msg_ids id_prefix0, id_prefix1, …) in batches of 20,
// reading the sender's echoes and acks between batches as a live client does. Returns how
// many were acked; a failure (no answer for 10 s, an error frame) is added to the test.
int send_in_batches(ws_client& ws, std::int64_t group, int n, std::string const& body, std::string const& id_prefix);

// Fails the current test with the response when the status differs.
#define EXPECT_STATUS(response, expected) EXPECT_EQ((response).status, (expected)) << (response)
#define ASSERT_STATUS(response, expected) ASSERT_EQ((response).status, (expected)) << (response)
// Status and contract error code together.
#define EXPECT_ERROR(response, expected_status, expected_code)               \
  do {                                                                       \
    auto const& r_ = (response);                                             \
    EXPECT_EQ(r_.status, (expected_status)) << r_;                           \
    EXPECT_EQ(r_.error_code(), (expected_code)) << r_;                       \
    EXPECT_TRUE(r_.is_contract_error()) << "not the contract's error shape: " << r_; \
  } while (0)

}  // namespace peerchat::test
