// SPDX-License-Identifier: MIT
// Entry point: hands the command line to the CLI.
#include "cli.hpp"
#include <csignal>
#include <sys/stat.h>

int main(int argc, char** argv) {
  // Whatever peerchat creates (data dir, database, WAL, backups, logs it opens) is for its
  // owner only: the database holds message text and invite codes in clear.
  ::umask(077);
  // Past a file-size limit (RLIMIT_FSIZE) a write then fails with EFBIG, which the store
  // reports like a full disk, instead of SIGXFSZ killing the whole server.
  std::signal(SIGXFSZ, SIG_IGN);
  return peerchat::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
