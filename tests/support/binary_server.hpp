// SPDX-License-Identifier: MIT
// The real `peerchat serve` as a child process on 127.0.0.1, for the tests that must kill it
// (SIGKILL durability, SIGTERM shutdown) or check what it prints at start-up.
#pragma once
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace peerchat::test {

// Thread safety: none; the test thread owns it.
class binary_server {
 public:
  // The server will keep its database in data_dir and log to data_dir/../<name>.log.
  explicit binary_server(std::filesystem::path data_dir, std::vector<std::string> extra_args = {});
  ~binary_server();  // SIGKILLs a server still running

  // Starts `peerchat serve` on a free port and waits (bounded) until /healthz answers 200.
  // Returns false (with the log in log()) when it exits or does not answer in time.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Starts it without waiting (for start-up failure tests), on the given port.
  void spawn(std::uint16_t port);

  void signal(int sig) { process_.signal(sig); }
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) { return process_.wait_exit(timeout); }
  bool running() { return process_.running(); }
  int pid() const { return process_.pid(); }  // for prlimit(2) in the disk-full test

  std::uint16_t port() const { return port_; }
  http_client http() const { return http_client(port_); }
  std::string log() const;  // what the server has printed so far

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path log_file_;
  std::vector<std::string> extra_args_;
  std::uint16_t port_ = 0;
  child_process process_;
};

// Logs `username` in (password_for(username)) over HTTP; the token, or "" after a failed
// expectation.
std::string login(binary_server& server, std::string const& username);
// `peerchat backup --data-dir data --to to`, run to its end.
run_result backup(std::filesystem::path const& data, std::filesystem::path const& to);
// Creates a group as the token's user; its id, or 0 after a failed expectation.
std::int64_t create_group(binary_server& server, std::string const& token, std::string const& name);

// The real binary on its own data dir, alice logged in, and the group she writes to.
class alice_binary_test : public testing::Test {
 protected:
  void SetUp() override {
    create_user_cli(data, "alice", "alice", password_for("alice"), true);
    ASSERT_TRUE(server.start()) << server.log();
    token = login(server, "alice");
    group = create_group(server, token, "coaches");
    ASSERT_NE(group, 0);
    messages = test_server::api("/groups/" + std::to_string(group) + "/messages");
  }

  temp_dir dir;
  std::filesystem::path data = dir.path() / "data";
  binary_server server{data};
  std::string token;
  std::int64_t group = 0;
  std::string messages;  // the group's messages route
};

}  // namespace peerchat::test
