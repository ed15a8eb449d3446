// SPDX-License-Identifier: MIT
// Users, groups and memberships for a scenario, made through the real HTTP API.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::bench {

struct member_account {
  std::int64_t user_id = 0;
  std::string username;
  std::string token;
};

struct group_setup {
  std::int64_t id = 0;
  std::vector<member_account> members;
};

struct setup_result {
  std::vector<group_setup> groups;
  double seconds = 0;       // wall time of the setup
  int users_created = 0;    // 0 when reused from a state file
  std::string reused_from;  // the state file, when reused
};

struct setup_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string admin_user, admin_password;
  int groups = 0, members = 0;
  int parallel = 4;                             // concurrent HTTP connections creating accounts
  std::optional<std::filesystem::path> state_dir;  // keep and reuse accounts between runs
};

// Throws with the server's answer when a call fails.
setup_result run_setup(setup_options const& o);

}  // namespace peerchat::bench
