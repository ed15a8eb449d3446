// SPDX-License-Identifier: MIT
// Users, groups and memberships for a scenario, made through the real HTTP API: the admin
// logs in, creates the groups and one invite per 1000 members, and every member accepts an
// invite without auth (which creates the account and returns its token, like a login).
#include "setup.hpp"
#include "http_client.hpp"
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>

namespace peerchat::bench {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json parse_or_throw(http_reply const& r, int expected, std::string const& what) {
  if (r.status != expected)
    throw std::runtime_error(what + ": expected " + std::to_string(expected) + ", got " + std::to_string(r.status) + " " +
                             r.body.substr(0, 300));
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(what + ": the answer is not JSON: " + r.body.substr(0, 300));
  return j;
}

// A call that retries transport errors and rate limiting a few times (each attempt bounded).
http_reply call(http_client& c, std::string const& method, std::string const& target, std::string const& body,
                std::string const& token = {}) {
  http_reply r;
  for (int attempt = 0; attempt < 5; ++attempt) {
    r = c.request(method, target, body, token);
    if (r.status != 0 && r.status != 429 && r.status != 503) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
  }
  return r;
}

fs::path state_file(fs::path const& dir, int groups, int members) {
  return dir / ("bench_state_" + std::to_string(groups) + "x" + std::to_string(members) + ".json");
}

// A state file with at least the groups and members asked for; its first ones are used.
std::optional<setup_result> load_state(fs::path const& dir, int groups, int members) {
  if (!fs::is_directory(dir)) return std::nullopt;
  for (auto const& entry : fs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (!name.starts_with("bench_state_") || !name.ends_with(".json")) continue;
    std::ifstream in(entry.path());
    auto j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("groups") || static_cast<int>(j["groups"].size()) < groups) continue;
    setup_result out;
    bool fits = true;
    for (int g = 0; g < groups && fits; ++g) {
      auto const& jg = j["groups"][static_cast<std::size_t>(g)];
      if (static_cast<int>(jg["members"].size()) < members) fits = false;
      group_setup gs{jg["id"].get<std::int64_t>(), {}};
      for (int m = 0; m < members && fits; ++m) {
        auto const& jm = jg["members"][static_cast<std::size_t>(m)];
        gs.members.push_back({jm["user_id"].get<std::int64_t>(), jm["username"].get<std::string>(),
                              jm["token"].get<std::string>()});
      }
      out.groups.push_back(std::move(gs));
    }
    if (!fits) continue;
    out.reused_from = entry.path().string();
    return out;
  }
  return std::nullopt;
}

void save_state(fs::path const& dir, setup_result const& s, int groups, int members) {
  json j;
  j["groups"] = json::array();
  for (auto const& g : s.groups) {
    json jm = json::array();
    for (auto const& m : g.members) jm.push_back({{"user_id", m.user_id}, {"username", m.username}, {"token", m.token}});
    j["groups"].push_back({{"id", g.id}, {"members", std::move(jm)}});
  }
  std::ofstream(state_file(dir, groups, members)) << j.dump() << "\n";
}

std::string random_tag() {
  std::random_device rd;
  static constexpr char hex[] = "0123456789abcdef";
  std::string s = "b";
  for (int i = 0; i < 6; ++i) s += hex[rd() % 16];
  return s;
}

}  // namespace

setup_result run_setup(setup_options const& o) {
  auto started = std::chrono::steady_clock::now();
  if (o.state_dir) {
    if (auto reused = load_state(*o.state_dir, o.groups, o.members)) {
      // A token may have been revoked or expired: check one before trusting the file.
      http_client c(o.host, o.port);
      auto r = c.request("GET", "/api/v1/me", {}, reused->groups.front().members.front().token);
      if (r.status == 200) {
        reused->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return *reused;
      }
    }
  }

  http_client admin(o.host, o.port);
  auto login = parse_or_throw(
      call(admin, "POST", "/api/v1/sessions", json{{"username", o.admin_user}, {"password", o.admin_password}}.dump()), 201,
      "admin login");
  std::string admin_token = login["token"].get<std::string>();

  std::string tag = random_tag();
  setup_result out;
  struct job {
    int group, member;
    std::string code;
  };
  std::vector<job> jobs;
  for (int g = 0; g < o.groups; ++g) {
    auto created = parse_or_throw(call(admin, "POST", "/api/v1/groups",
                                       json{{"name", tag + " group " + std::to_string(g)}}.dump(), admin_token),
                                  201, "create group");
    group_setup gs{created["id"].get<std::int64_t>(), std::vector<member_account>(static_cast<std::size_t>(o.members))};
    std::string code;
    for (int m = 0; m < o.members; ++m) {
      if (m % 1000 == 0) {
        int uses = std::min(1000, o.members - m);
        auto inv = parse_or_throw(call(admin, "POST", "/api/v1/groups/" + std::to_string(gs.id) + "/invites",
                                       json{{"max_uses", uses}}.dump(), admin_token),
                                  201, "create invite");
        code = inv["code"].get<std::string>();
      }
      jobs.push_back({g, m, code});
    }
    out.groups.push_back(std::move(gs));
  }

  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  std::mutex error_mutex;
  std::string first_error;  // guarded by error_mutex
  auto worker = [&] {
    http_client c(o.host, o.port);
    for (std::size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      {
        std::lock_guard lock(error_mutex);
        if (!first_error.empty()) return;
      }
      auto const& jb = jobs[i];
      std::string username = tag + "_g" + std::to_string(jb.group) + "_m" + std::to_string(jb.member);
      try {
        auto r = parse_or_throw(call(c, "POST", "/api/v1/invites/" + jb.code + "/accept",
                                     json{{"username", username},
                                          {"display_name", "g" + std::to_string(jb.group) + "m" + std::to_string(jb.member)},
                                          {"password", "bench-password-" + tag}}
                                         .dump()),
                                201, "accept invite as " + username);
        auto& m = out.groups[static_cast<std::size_t>(jb.group)].members[static_cast<std::size_t>(jb.member)];
        m.user_id = r["user"]["id"].get<std::int64_t>();
        m.username = username;
        m.token = r["token"].get<std::string>();
      } catch (std::exception const& e) {
        std::lock_guard lock(error_mutex);
        if (first_error.empty()) first_error = e.what();
        return;
      }
      int d = ++done;
      if (d % 500 == 0) std::cerr << "  setup: " << d << "/" << jobs.size() << " accounts\n";
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, o.parallel); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (!first_error.empty()) throw std::runtime_error(first_error);

  out.users_created = static_cast<int>(jobs.size());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.state_dir) save_state(*o.state_dir, out, o.groups, o.members);
  return out;
}

}  // namespace peerchat::bench
