// SPDX-License-Identifier: MIT
// The real server binary under test control.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include "support/wait.hpp"

#include <fstream>
#include <sstream>

namespace peerchat::test {

binary_server::binary_server(std::filesystem::path data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)),
      log_file_(data_dir_.parent_path() / (data_dir_.filename().string() + ".log")),
      extra_args_(std::move(extra_args)) {}

binary_server::~binary_server() {
  std::error_code ec;
  std::filesystem::remove(log_file_, ec);
}

void binary_server::spawn(std::uint16_t port) {
  port_ = port;
  std::vector<std::string> argv{peerchat_binary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port),
                                "--data-dir", data_dir_.string()};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_ = child_process(argv, log_file_);
}

bool binary_server::start(std::chrono::milliseconds timeout) {
  // A port that was free a moment ago can be taken by the time the server binds it; try a
  // few before giving up.
  for (int attempt = 0; attempt < 3; ++attempt) {
    spawn(free_port());
    bool up = wait_until(
        [&] {
          if (!process_.running()) return true;
          return port_open(port_) && http().get("/healthz", {}).status == 200;
        },
        timeout, std::chrono::milliseconds(20));
    if (up && process_.running()) return true;
    if (process_.running()) return false;  // alive but not answering: give up
  }
  return false;
}

std::string binary_server::log() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string login(binary_server& server, std::string const& username) {
  auto r = server.http().post(test_server::api("/sessions"), {{"username", username}, {"password", password_for(username)}});
  EXPECT_STATUS(r, 201);
  return r.status == 201 ? r.json().value("token", "") : "";
}

run_result backup(std::filesystem::path const& data, std::filesystem::path const& to) {
  return run_process({peerchat_binary(), "backup", "--data-dir", data.string(), "--to", to.string()}, "");
}

std::int64_t create_group(binary_server& server, std::string const& token, std::string const& name) {
  auto r = server.http().post(test_server::api("/groups"), {{"name", name}}, token);
  EXPECT_STATUS(r, 201);
  return r.status == 201 ? r.json()["id"].get<std::int64_t>() : 0;
}

}  // namespace peerchat::test
