// SPDX-License-Identifier: MIT
#include "support/push_service.hpp"

#include "support/wait.hpp"
#include <algorithm>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#ifndef PEERCHAT_PUSH_SERVICE
#define PEERCHAT_PUSH_SERVICE "tests/push/push_service.py"
#endif

namespace peerchat::test {

namespace {

std::string read_file(std::filesystem::path const& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json checked(http_response const& r, char const* what) {
  if (r.status < 200 || r.status >= 300) {
    std::ostringstream os;
    os << "push service " << what << ": " << r;
    throw std::runtime_error(os.str());
  }
  return r.json();
}

}  // namespace

json push_subscription_keys::as_json() const {
  return {{"endpoint", endpoint}, {"keys", {{"p256dh", p256dh}, {"auth", auth}}}};
}

std::string local_push_service::script() {
  if (char const* env = std::getenv("PEERCHAT_PUSH_SERVICE"); env && *env) return env;
  return PEERCHAT_PUSH_SERVICE;
}

bool local_push_service::start(std::filesystem::path const& dir, std::chrono::seconds lifetime,
                               std::vector<std::string> const& extra_args) {
  auto port_file = dir / "push_service.port";
  log_file_ = dir / "push_service.log";
  // Debian's python3-cryptography imports under /usr/bin/python3 (a python3 first on PATH may be
  // another interpreter without Debian's packages).
  std::vector<std::string> argv{"/usr/bin/python3", script(), "--port-file", port_file.string(),
                                "--deadline", std::to_string(lifetime.count()),
                                "--parent-pid", std::to_string(::getpid())};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = child_process(argv, log_file_);
  bool up = wait_until([&] { return std::filesystem::exists(port_file) || !process_.running(); },
                       std::chrono::seconds(20), std::chrono::milliseconds(20));
  if (!up || !std::filesystem::exists(port_file)) return false;
  port_ = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
  return port_ != 0;
}

std::string local_push_service::log() const { return read_file(log_file_); }

push_subscription_keys local_push_service::subscribe() {
  auto j = checked(http().post("/__subscription", json::object()), "POST /__subscription");
  return {j.at("id"), j.at("endpoint"), j.at("keys").at("p256dh"), j.at("keys").at("auth")};
}

void local_push_service::expect_key(std::string const& vapid_public_key) {
  checked(http().post("/__config", {{"vapid_public_key", vapid_public_key}}), "POST /__config");
}

void local_push_service::script(std::string const& id, json const& answers, json const& fallback) {
  checked(http().post("/__script", {{"id", id}, {"answers", answers}, {"default", fallback}}), "POST /__script");
}

std::vector<json> local_push_service::received(std::string const& id) const {
  auto j = checked(http().get(id.empty() ? "/__received" : "/__received?id=" + id), "GET /__received");
  return j.at("pushes").get<std::vector<json>>();
}

std::vector<json> local_push_service::wait_for(std::string const& id, std::size_t count,
                                               std::chrono::milliseconds timeout) const {
  std::vector<json> got;
  wait_until([&] { return (got = received(id)).size() >= count; }, timeout, std::chrono::milliseconds(20));
  return got;
}

bool local_push_service::wait_for_seq(std::string const& id, std::int64_t seq,
                                      std::chrono::milliseconds timeout) const {
  return wait_until(
      [&] {
        for (auto const& s : pushed_seqs(received(id)))
          if (s == seq) return true;
        return false;
      },
      timeout, std::chrono::milliseconds(20));
}

json local_push_service::stats() const { return checked(http().get("/__stats"), "GET /__stats"); }

std::vector<std::int64_t> pushed_seqs(std::vector<json> const& pushes) {
  std::vector<std::int64_t> out;
  for (auto const& p : pushes) {
    auto const& payload = p.at("payload");
    if (payload.is_object() && payload.contains("seq") && payload.at("type") == "message")
      out.push_back(payload.at("seq").get<std::int64_t>());
  }
  // Pushes travel concurrently (several requests in flight), so they may arrive in any order.
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace peerchat::test
