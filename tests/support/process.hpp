// SPDX-License-Identifier: MIT
// Child processes for tests that run the real peerchat binary: the CLI with a password on
// stdin, and `peerchat serve` that a test can SIGTERM or SIGKILL.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::test {

// The peerchat executable the tests run (set by the integration tests from PEERCHAT_BINARY;
// the PEERCHAT_BINARY environment variable overrides it).
std::string const& peerchat_binary();
void set_peerchat_binary(std::string path);

struct run_result {
  int exit_code = -1;   // -1 when it did not exit in time (it is then killed)
  std::string output;   // stdout and stderr together
};

// Runs argv[0] with argv, writes `input` to its stdin, closes stdin, and waits at most
// `timeout` for it to exit.
run_result run_process(std::vector<std::string> const& argv, std::string const& input,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A long-running child (the server). Its stdout and stderr go to `log_file`.
// Thread safety: none; the test thread owns it.
class child_process {
 public:
  child_process() = default;
  child_process(std::vector<std::string> const& argv, std::filesystem::path const& log_file,
                std::vector<std::string> const& extra_env = {});
  ~child_process();  // SIGKILLs and reaps a child still running
  child_process(child_process&& other) noexcept;
  child_process& operator=(child_process&& other) noexcept;

  bool started() const { return pid_ > 0; }
  int pid() const { return pid_; }
  void signal(int sig) const;
  // Waits at most `timeout` for the child to exit. Returns its exit code, or 128+signal
  // when a signal ended it; nullopt when it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  int pid_ = -1;
  std::optional<int> status_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for the real binary, which is given
// an address; in-process servers bind port 0 instead).
std::uint16_t free_port();

// True when something accepts TCP connections on 127.0.0.1:port.
bool port_open(std::uint16_t port);

}  // namespace peerchat::test
