// SPDX-License-Identifier: MIT
// The server under test: started from --server-bin and observed through /proc.
#include "server_process.hpp"
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace peerchat::bench {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::optional<proc_sample> sample_process(int pid) {
  proc_sample s;
  {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto paren = text.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(paren + 2));
    // After "pid (comm) " come state(3) ... utime(14) stime(15) ... num_threads(20).
    std::string f;
    std::vector<std::string> v;
    while (fields >> f && v.size() < 20) v.push_back(f);
    if (v.size() < 18) return std::nullopt;
    double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    s.cpu_seconds = (std::stod(v[11]) + std::stod(v[12])) / tick;
    s.threads = std::stoi(v[17]);
  }
  std::ifstream st("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(st, line)) {
    if (line.starts_with("VmRSS:")) s.rss_kib = std::stoll(line.substr(6));
    if (line.starts_with("VmHWM:")) s.hwm_kib = std::stoll(line.substr(6));
  }
  return s;
}

bool reset_peak(int pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

double self_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

namespace {

// fork + exec with stdin from `input` (a pipe when non-empty) and stdout/stderr appended to `log`.
int spawn(std::vector<std::string> const& argv, fs::path const& log, std::string const* input) {
  int in_pipe[2] = {-1, -1};
  if (input && ::pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot open " + log.string());
  std::vector<char*> args;
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // The child inherits the raised RLIMIT_NOFILE of the bench.
    if (input) {
      ::dup2(in_pipe[0], 0);
      ::close(in_pipe[1]);
    } else {
      int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
    }
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  if (input) {
    ::close(in_pipe[0]);
    auto n = ::write(in_pipe[1], input->data(), input->size());
    (void)n;
    ::close(in_pipe[1]);
  }
  return pid;
}

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
  return "unknown status";
}

}  // namespace

server_process::server_process(fs::path bin, fs::path data_dir, std::string admin_user, std::string admin_password,
                               std::vector<std::string> extra_args, bool create_admin)
    : bin_(fs::absolute(std::move(bin))), data_dir_(std::move(data_dir)), log_(data_dir_ / "server.log") {
  fs::create_directories(data_dir_);
  if (create_admin) {
    std::string password = admin_password + "\n";
    int pid = spawn({bin_.string(), "admin", "create-user", "--data-dir", data_dir_.string(), "--username", admin_user,
                     "--display-name", "Bench Admin", "--admin", "--password-stdin"},
                    log_, &password);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("admin create-user failed (" + status_text(status) + "), see " + log_.string());
  }
  auto start_size = fs::exists(log_) ? fs::file_size(log_) : 0;
  std::vector<std::string> argv{bin_.string(), "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir_.string(),
                                "--send-rate", "1000000", "--send-burst", "1000000", "--login-rate", "1000000",
                                // every bench connection comes from 127.0.0.1
                                "--max-connections-per-address", "1000000", "--http-rate", "1000000",
                                "--http-burst", "1000000", "--metrics-token", bench_metrics_token,
                                "--accept-rate", "1000000", "--accept-burst", "1000000"};  // setup: every member joins
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(argv, log_, nullptr);
  // The server logs "listening on HOST:PORT"; port 0 lets the kernel pick a free one.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log_);
    in.seekg(static_cast<std::streamoff>(start_size));
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("listening on 127.0.0.1:");
      if (at == std::string::npos) continue;
      port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + std::strlen("listening on 127.0.0.1:"))));
      return;
    }
    if (!running()) throw std::runtime_error("the server exited at start (" + exit_status_ + "), see " + log_.string());
    std::this_thread::sleep_for(50ms);
  }
  stop();
  throw std::runtime_error("the server did not report its port within 30 s, see " + log_.string());
}

server_process::~server_process() { stop(); }

bool server_process::running() {
  if (pid_ < 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_status_ = status_text(status);
    pid_ = -1;
    return false;
  }
  return true;
}

std::string server_process::stop() {
  if (!running()) return exit_status_;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (!running()) return exit_status_;
    std::this_thread::sleep_for(50ms);
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_status_ = "did not exit within 10 s of SIGTERM; " + status_text(status);
  return exit_status_;
}

std::vector<std::string> server_process::trouble_lines(std::size_t max) const {
  std::vector<std::string> out;
  std::ifstream in(log_);
  std::string line;
  while (std::getline(in, line) && out.size() < max)
    if (line.find("[warn") != std::string::npos || line.find("[error") != std::string::npos ||
        line.find("[critical") != std::string::npos || line.find("rror") != std::string::npos)
      out.push_back(line);
  return out;
}

}  // namespace peerchat::bench
