// SPDX-License-Identifier: MIT
// The server under test: started from --server-bin (or found by PID) and observed through /proc.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::bench {

// The /metrics bearer token of a server started by the bench (PEERCHAT_METRICS_TOKEN for
// a server given with --url).
inline constexpr char bench_metrics_token[] = "peerchat-bench-metrics";

// What /proc says about a process at one instant.
struct proc_sample {
  double cpu_seconds = 0;        // utime + stime of every thread
  std::int64_t rss_kib = 0;      // VmRSS
  std::int64_t hwm_kib = 0;      // VmHWM, the peak RSS since start or since reset_peak()
  int threads = 0;
};

std::optional<proc_sample> sample_process(int pid);
// Resets VmHWM to the current RSS (writes 5 to /proc/PID/clear_refs); false when refused.
bool reset_peak(int pid);
// CPU seconds of this process (the bench itself).
double self_cpu_seconds();

// Thread safety: none; owned by the main thread.
class server_process {
 public:
  // Creates the admin with `BIN admin create-user`, then starts `BIN serve` on 127.0.0.1 with a
  // free port and rate limits lifted, its output in DATA_DIR/server.log. Throws on failure.
  server_process(std::filesystem::path bin, std::filesystem::path data_dir, std::string admin_user,
                 std::string admin_password, std::vector<std::string> extra_args, bool create_admin);
  ~server_process();  // stop()
  server_process(server_process const&) = delete;
  server_process& operator=(server_process const&) = delete;

  int pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::filesystem::path const& log_path() const { return log_; }
  bool running();
  // SIGTERM, up to 10 s for a clean exit, then SIGKILL. Returns the exit status text.
  std::string stop();
  // The log lines that look like trouble (warn/error/critical), at most `max`.
  std::vector<std::string> trouble_lines(std::size_t max) const;

 private:
  std::filesystem::path bin_, data_dir_, log_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::string exit_status_;
};

}  // namespace peerchat::bench
