// SPDX-License-Identifier: MIT
// Entry point: hands the command line to the CLI.
#include "cli.hpp"

int main(int argc, char** argv) {
  return peerchat::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
