// SPDX-License-Identifier: MIT
// The in-process test server and the API walks the integration tests share.
#include "support/test_server.hpp"

#include "peerchat/gateway/server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace peerchat::test {

namespace {

std::string describe(std::string const& what, http_response const& r) {
  std::ostringstream os;
  os << what << " failed: " << r;
  return os.str();
}

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

temp_dir::temp_dir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  auto name = "peerchat-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
              std::to_string(rd() % 1000000);
  path_ = std::filesystem::temp_directory_path() / name;
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string password_for(std::string const& username) { return username + "-password-1"; }

void create_user_cli(std::filesystem::path const& data_dir, std::string const& username,
                     std::string const& display_name, std::string const& password, bool admin) {
  if (peerchat_binary().empty()) throw std::runtime_error("peerchat binary unknown (PEERCHAT_BINARY)");
  std::vector<std::string> argv{peerchat_binary(), "admin", "create-user", "--data-dir", data_dir.string(),
                                "--username", username, "--display-name", display_name};
  if (admin) argv.push_back("--admin");
  argv.push_back("--password-stdin");
  auto r = run_process(argv, password + "\n");
  if (r.exit_code != 0)
    throw std::runtime_error("peerchat admin create-user " + username + " exited " + std::to_string(r.exit_code) +
                             ": " + r.output);
}

test_server::test_server() {
  config_.listen_host = "127.0.0.1";
  config_.listen_port = 0;
  config_.data_dir = dir_.path();
  config_.io_threads = 2;
  config_.worker_threads = 2;
  config_.limits.login_per_minute = 100000;
  config_.limits.send_per_second = 1e6;
  config_.limits.send_burst = 1e6;
  config_.limits.http_per_second = 1e6;  // every test client comes from 127.0.0.1
  config_.limits.http_burst = 1e6;
  config_.metrics_token = test_metrics_token;
}

test_server::~test_server() { stop(); }

std::uint16_t test_server::metrics_port() const { return server_ ? server_->metrics_port() : 0; }

void test_server::start() {
  if (server_) return;
  server_ = std::make_unique<peerchat::gateway::server>(config_);
  port_ = server_->start();
  // With port 0 the public URL is derived after binding; record what clients will see.
  if (config_.public_url.empty()) config_.listen_port = port_;
}

void test_server::stop() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

std::string test_server::origin() const {
  if (!config_.public_url.empty()) return config_.public_origin();
  return "http://127.0.0.1:" + std::to_string(port_);
}

account& test_server::create_user(std::string const& username, bool admin) {
  account a{username, capitalized(username), password_for(username), 0, {}};
  create_user_cli(dir_.path(), a.username, a.display_name, a.password, admin);
  return accounts_[username] = std::move(a);
}

account& test_server::user(std::string const& username) {
  auto it = accounts_.find(username);
  if (it == accounts_.end()) throw std::runtime_error("no test account " + username);
  return it->second;
}

std::string const& test_server::login(std::string const& username) {
  auto& a = user(username);
  auto r = http().post(api("/sessions"), {{"username", a.username}, {"password", a.password}});
  if (r.status != 201) throw std::runtime_error(describe("login " + username, r));
  auto j = r.json();
  a.token = j.at("token").get<std::string>();
  a.id = j.at("user").at("id").get<std::int64_t>();
  return a.token;
}

std::string const& test_server::token(std::string const& username) {
  auto& a = user(username);
  if (a.token.empty()) login(username);
  return a.token;
}

std::int64_t test_server::id(std::string const& username) {
  auto& a = user(username);
  if (a.id == 0) login(username);
  return a.id;
}

std::int64_t test_server::create_group(std::string const& owner, std::string const& name, std::string const& topic) {
  json body{{"name", name}};
  if (!topic.empty()) body["topic"] = topic;
  auto r = http().post(api("/groups"), body, token(owner));
  if (r.status != 201) throw std::runtime_error(describe("create group " + name, r));
  return r.json().at("id").get<std::int64_t>();
}

json test_server::create_invite(std::string const& by, std::int64_t group, json const& options) {
  auto r = http().post(api("/groups/" + std::to_string(group) + "/invites"), options, token(by));
  if (r.status != 201) throw std::runtime_error(describe("create invite", r));
  return r.json();
}

void test_server::join(std::string const& username, std::int64_t group, std::string const& inviter) {
  auto invite = create_invite(inviter, group);
  auto code = invite.at("code").get<std::string>();
  auto r = http().post(api("/invites/" + code + "/accept"), json::object(), token(username));
  if (r.status != 201) throw std::runtime_error(describe(username + " accepting an invite", r));
}

void test_server::set_role(std::string const& by, std::int64_t group, std::string const& username,
                           std::string const& role) {
  auto r = http().patch(api("/groups/" + std::to_string(group) + "/members/" + std::to_string(id(username))),
                        {{"role", role}}, token(by));
  if (r.status != 200) throw std::runtime_error(describe("set role of " + username, r));
}

json test_server::group(std::string const& by, std::int64_t group) {
  auto r = http().get(api("/groups/" + std::to_string(group)), token(by));
  if (r.status != 200) throw std::runtime_error(describe("get group", r));
  return r.json();
}

json test_server::send(std::string const& by, std::int64_t group, std::string const& body, std::string client_msg_id) {
  if (client_msg_id.empty()) client_msg_id = "it-" + std::to_string(++next_msg_);
  auto r = http().post(api("/groups/" + std::to_string(group) + "/messages"),
                       {{"body", body}, {"client_msg_id", client_msg_id}}, token(by));
  if (r.status != 201) throw std::runtime_error(describe("send message", r));
  return r.json();
}

std::vector<json> test_server::events(std::string const& by, std::int64_t group, std::int64_t after) {
  std::vector<json> out;
  for (int page = 0; page < 1000; ++page) {
    auto r = http().get(api("/groups/" + std::to_string(group) + "/events?after=" + std::to_string(after) +
                            "&limit=1000"),
                        token(by));
    if (r.status != 200) throw std::runtime_error(describe("get events", r));
    auto j = r.json();
    auto const& list = j.at("events");
    if (list.empty()) break;
    for (auto const& e : list) out.push_back(e);
    after = list.back().at("seq").get<std::int64_t>();
    if (after >= j.value("last_seq", std::int64_t{0})) break;
  }
  return out;
}

std::unique_ptr<ws_client> test_server::connect(std::string const& username, json const& resume,
                                                ws_options const& options) {
  auto ws = std::make_unique<ws_client>();
  if (!ws->connect(port_, options))
    throw std::runtime_error("WebSocket connect for " + username + ": " + ws->error() + " (HTTP " +
                             std::to_string(ws->upgrade_status()) + " " + ws->upgrade_body() + ")");
  if (!ws->hello(token(username), resume))
    throw std::runtime_error("no ready for " + username + "; got " + ws->last_frame().dump() + " / " +
                             ws->error());
  return ws;
}

std::vector<std::string> keys_of(json const& object) {
  std::vector<std::string> out;
  if (!object.is_object()) return out;
  for (auto it = object.begin(); it != object.end(); ++it) out.push_back(it.key());
  std::sort(out.begin(), out.end());
  return out;
}

std::string url_encode(std::string_view s) {
  static char const hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::vector<json> read_events(ws_client& ws, std::int64_t group, std::size_t count,
                              std::chrono::milliseconds timeout, std::vector<json>* others) {
  std::vector<json> out;
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto frame = ws.read_json(left);
    if (!frame) break;
    if (frame->value("type", "") == "event" && frame->value("group_id", std::int64_t{0}) == group)
      out.push_back(std::move(*frame));
    else if (others)
      others->push_back(std::move(*frame));
  }
  return out;
}

std::vector<json> frames_before_pong(ws_client& ws) {
  auto frames = ws.frames_before_pong();
  if (!frames) {
    ADD_FAILURE() << "no pong: " << ws.error();
    return {};
  }
  return std::move(*frames);
}

std::vector<std::int64_t> seqs_of(std::vector<json> const& events) {
  std::vector<std::int64_t> out;
  for (auto const& e : events) out.push_back(e.value("seq", std::int64_t{-1}));
  return out;
}

std::vector<std::int64_t> seq_range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  for (auto s = from; s <= to; ++s) out.push_back(s);
  return out;
}

std::int64_t last_seq_in_ready(json const& ready, std::int64_t group) {
  if (!ready.contains("groups") || !ready["groups"].is_array()) return -1;
  for (auto const& g : ready["groups"])
    if (g.value("id", std::int64_t{0}) == group) return g.value("last_seq", std::int64_t{-1});
  return -1;
}

double metric(std::string const& text, std::string const& name) {
  std::smatch m;
  std::regex line("(^|\\n)" + name + " ([0-9.eE+-]+)");
  if (!std::regex_search(text, m, line)) return -1;
  return std::stod(m[2]);
}

json send_frame(std::int64_t group, std::string const& client_msg_id, std::string const& body) {
  return {{"type", "send"}, {"group_id", group}, {"client_msg_id", client_msg_id}, {"body", body}};
}

int send_in_batches(ws_client& ws, std::int64_t group, int n, std::string const& body, std::string const& id_prefix) {
  int acked = 0;
  for (int sent = 0; sent < n;) {
    int batch = std::min(20, n - sent);
    for (int i = 0; i < batch; ++i, ++sent)
      if (!ws.send_json(send_frame(group, id_prefix + std::to_string(sent), body))) {
        ADD_FAILURE() << "send " << sent << " failed: " << ws.error();
        return acked;
      }
    for (int reads = 0; acked < sent && reads < 50 * batch; ++reads) {
      auto f = ws.read_json(std::chrono::seconds(10));
      if (!f) {
        ADD_FAILURE() << "the sender stopped hearing back after " << acked << " acks: " << ws.error();
        return acked;
      }
      if (f->value("type", "") == "error") {
        ADD_FAILURE() << f->dump();
        return acked;
      }
      if (f->value("type", "") == "ack") ++acked;
    }
  }
  return acked;
}

void coaches_test::SetUp() {
  configure(srv.config());
  srv.create_user("alice", true);
  srv.create_user("bob");
  srv.create_user("carol");
  srv.create_user("dave");
  srv.start();
  coaches = srv.create_group("alice", "coaches", "Weekly planning");
  srv.join("bob", coaches);
  srv.join("carol", coaches);
  srv.token("dave");
}

void coaches_test::TearDown() { srv.stop(); }

}  // namespace peerchat::test
