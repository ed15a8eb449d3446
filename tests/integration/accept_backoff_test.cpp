// SPDX-License-Identifier: MIT
// Issue 10 item 9: out of file descriptors, the accept loop waits instead of spinning, and
// the server serves again once connections close. The real binary with a low
// RLIMIT_NOFILE (set from outside with prlimit), flooded with idle connections.
#include "raw_socket.hpp"
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

namespace peerchat::test {
namespace {

std::size_t open_descriptors(int pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] auto const& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
  return n;
}

// utime + stime of the process, in clock ticks (/proc/<pid>/stat fields 14 and 15).
long cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(text.substr(text.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

TEST(accept_backoff_test, OutOfDescriptorsTheAcceptLoopWaitsAndServesAgainAfterwards) {
  temp_dir dir;
  binary_server server(dir.path() / "data", {"--header-timeout", "120", "--metrics-token", test_metrics_token,
                                             "--io-threads", "1"});
  ASSERT_TRUE(server.start()) << server.log();
  int pid = server.pid();
  rlim_t limit = open_descriptors(pid) + 4;  // room for four connections
  rlimit low{limit, limit};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &low, nullptr), 0) << "prlimit: " << std::strerror(errno);

  std::vector<std::unique_ptr<raw_socket>> flood;
  for (int i = 0; i < 24; ++i) flood.push_back(std::make_unique<raw_socket>(server.port()));  // the backlog holds them
  ASSERT_TRUE(wait_until([&] { return open_descriptors(pid) >= limit; }, 10s)) << "the server never ran out";

  // A measurement window, not synchronisation: a busy accept loop burns its core the whole
  // time (even on a loaded machine that is dozens of ticks in two seconds); the back-off
  // tries ten times a second.
  long before = cpu_ticks(pid);
  std::this_thread::sleep_for(2s);
  long spent = cpu_ticks(pid) - before;
  long ticks_per_s = ::sysconf(_SC_CLK_TCK);
  EXPECT_LT(spent, ticks_per_s / 10) << "CPU ticks in 2 s while out of descriptors (" << ticks_per_s << "/s)";

  flood.clear();  // connections drop: descriptors come back
  ASSERT_TRUE(wait_until([&] { return server.http().get("/healthz").status == 200; }, 10s))
      << "the server must serve again\n" << server.log();
  auto m = server.http().get("/metrics", test_metrics_token);
  ASSERT_STATUS(m, 200);
  EXPECT_GE(metric(m.body, "peerchat_accept_backoffs_total"), 1);
  EXPECT_NE(server.log().find("accept failed"), std::string::npos) << server.log();
  server.signal(SIGTERM);
  EXPECT_TRUE(server.wait_exit(20s).has_value());
}

}  // namespace
}  // namespace peerchat::test
