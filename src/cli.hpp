// SPDX-License-Identifier: MIT
// The command line: serve, admin create-user; configuration from flags, environment and file.
#pragma once
#include "peerchat/core/config.hpp"
#include <string>
#include <vector>

namespace peerchat::cli {

// Runs the program with argv[1…]; returns the process exit code.
int run(std::vector<std::string> args);

// Builds the serve configuration: defaults, then the config file, then PEERCHAT_*
// environment variables, then flags. Throws std::runtime_error on a bad value.
config load_config(std::vector<std::string> const& args);

// The help text of `peerchat serve`.
std::string serve_help();

}  // namespace peerchat::cli
