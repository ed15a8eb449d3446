// SPDX-License-Identifier: MIT
// peerchat_soak: not part of CI (it runs for minutes). Two cases, on the real binary:
//
// kill -9: N cycles of { start the server on the same data dir; three members send
// pipelined messages and record every ack; after a random 0.3–1.5 s, SIGKILL; restart;
// check that every acknowledged message is there exactly once, with its acked seq, and the
// group's seqs are contiguous from 1 }.
//
// Disk full: RLIMIT_FSIZE on the server process (0 bytes: no write into any file succeeds)
// stands in for a full disk; a send must get no ack but an `internal` error frame naming it,
// the server must keep answering (/healthz, ping), and once the limit is lifted the same
// client_msg_id must be stored exactly once. M rounds.
//
// Usage: peerchat_soak [--binary PATH] [--cycles N] [--disk-full-rounds M] [--seed S]
// Prints one line per cycle and a summary; exit 0 when nothing was lost.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <sys/resource.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

using namespace peerchat::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct ledger {
  std::mutex mutex;
  std::map<std::string, std::int64_t> acked;  // client_msg_id → seq
  std::vector<std::string> failures;
  std::atomic<int> sent{0};
};

void fail(ledger& book, std::string what) {
  std::lock_guard lock(book.mutex);
  book.failures.push_back(std::move(what));
}

// One member: pipelined sends (at most 16 unacked) until the server dies under it.
void sender(std::uint16_t port, std::string const& name, std::string const& token, std::int64_t group, int cycle,
            ledger& book) {
  ws_client ws;
  if (!ws.connect(port) || !ws.hello(token)) return;  // killed before we got in: fine
  std::set<std::string> in_flight;
  int next = 0;
  for (int steps = 0; steps < 1000000; ++steps) {
    while (in_flight.size() < 16) {
      auto id = name + "-" + std::to_string(cycle) + "-" + std::to_string(next++);
      if (!ws.send_json(send_frame(group, id, name + " says " + id))) return;
      in_flight.insert(id);
      book.sent.fetch_add(1);
    }
    auto f = ws.read_json(10s);
    if (!f) return;  // killed
    auto type = f->value("type", "");
    if (type == "error") return fail(book, name + " got " + f->dump());
    if (type != "ack") continue;
    auto id = f->value("client_msg_id", "");
    in_flight.erase(id);
    std::lock_guard lock(book.mutex);
    book.acked.emplace(id, f->value("seq", std::int64_t{0}));
  }
}

std::string login(binary_server& s, std::string const& name) {
  auto r = s.http().post(test_server::api("/sessions"), {{"username", name}, {"password", password_for(name)}});
  if (r.status != 201) throw std::runtime_error("login " + name + ": " + r.body);
  return r.json()["token"].get<std::string>();
}

// Every message event of the group: client_msg_id → seqs it was stored at; false on a gap.
bool stored_messages(binary_server& s, std::string const& token, std::int64_t group,
                     std::map<std::string, std::vector<std::int64_t>>& out, std::int64_t& last) {
  std::int64_t after = 0;
  for (int page = 0; page < 100000; ++page) {
    auto r = s.http().get(test_server::api("/groups/" + std::to_string(group) + "/events?after=" + std::to_string(after) +
                                           "&limit=1000"),
                          token);
    if (r.status != 200) throw std::runtime_error("events: " + r.body);
    auto list = r.json()["events"];
    if (list.empty()) break;
    for (auto const& e : list) {
      auto seq = e["seq"].get<std::int64_t>();
      if (seq != after + 1) return false;
      after = seq;
      if (e.value("kind", "") == "message") out[e.value("client_msg_id", "")].push_back(seq);
    }
  }
  last = after;
  return true;
}

bool set_file_limit(int pid, rlim_t bytes) {
  struct rlimit lim {bytes, RLIM_INFINITY};
  return ::prlimit(pid, RLIMIT_FSIZE, &lim, nullptr) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int cycles = 100, disk_rounds = 5;
  unsigned seed = static_cast<unsigned>(std::random_device{}());
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--binary") set_peerchat_binary(argv[i + 1]);
    else if (a == "--cycles") cycles = std::stoi(argv[i + 1]);
    else if (a == "--disk-full-rounds") disk_rounds = std::stoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::stoul(argv[i + 1]));
    else {
      std::cerr << "usage: peerchat_soak [--binary PATH] [--cycles N] [--disk-full-rounds M] [--seed S]\n";
      return 2;
    }
  }
  if (peerchat_binary().empty()) {
    std::cerr << "peerchat_soak: give --binary PATH (or PEERCHAT_BINARY)\n";
    return 2;
  }
  std::mt19937 rng(seed);
  std::cout << "peerchat_soak: binary " << peerchat_binary() << ", " << cycles << " kill -9 cycles, " << disk_rounds
            << " disk-full rounds, seed " << seed << std::endl;
  temp_dir dir;
  auto data = dir.path() / "data";
  std::vector<std::string> names{"alice", "bob", "carol"};
  for (auto const& n : names) create_user_cli(data, n, n, password_for(n), n == "alice");
  std::vector<std::string> limits{"--send-rate", "100000", "--send-burst", "100000", "--login-rate", "100000"};

  std::map<std::string, std::string> tokens;
  std::int64_t group = 0;
  {
    binary_server s(data, limits);
    if (!s.start()) { std::cerr << s.log(); return 1; }
    for (auto const& n : names) tokens[n] = login(s, n);
    auto g = s.http().post(test_server::api("/groups"), {{"name", "soak"}}, tokens["alice"]);
    group = g.json()["id"].get<std::int64_t>();
    for (auto const& n : {"bob", "carol"}) {
      auto inv = s.http().post(test_server::api("/groups/" + std::to_string(group) + "/invites"), json::object(), tokens["alice"]);
      s.http().post(test_server::api("/invites/" + inv.json()["code"].get<std::string>() + "/accept"), json::object(), tokens[n]);
    }
    s.signal(SIGTERM);
    s.wait_exit(10s);
  }

  ledger book;
  std::vector<double> restart_ms;
  int bad_cycles = 0;
  auto started = clock_type::now();
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    binary_server s(data, limits);
    auto t0 = clock_type::now();
    if (!s.start()) {
      std::cerr << "cycle " << cycle << ": the server did not come back:\n" << s.log();
      return 1;
    }
    restart_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    // The previous cycle's acks must all be here, once, at their seqs.
    std::map<std::string, std::vector<std::int64_t>> stored;
    std::int64_t last = 0;
    bool contiguous = stored_messages(s, tokens["alice"], group, stored, last);
    std::size_t lost = 0, twice = 0, moved = 0;
    {
      std::lock_guard lock(book.mutex);
      for (auto const& [id, seq] : book.acked) {
        auto it = stored.find(id);
        if (it == stored.end()) ++lost;
        else if (it->second.size() != 1) ++twice;
        else if (it->second[0] != seq) ++moved;
      }
    }
    if (!contiguous || lost || twice || moved || !book.failures.empty()) ++bad_cycles;
    std::cout << "cycle " << cycle << ": restart " << static_cast<int>(restart_ms.back()) << " ms, acked so far "
              << book.acked.size() << ", stored " << stored.size() << " (last seq " << last << "), lost " << lost
              << ", stored twice " << twice << ", moved " << moved << (contiguous ? "" : ", SEQ GAP") << std::endl;
    // Load, then SIGKILL at a random moment.
    std::vector<std::thread> threads;
    for (auto const& n : names)
      threads.emplace_back(sender, s.port(), n, tokens[n], group, cycle, std::ref(book));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(rng)));
    s.signal(SIGKILL);
    s.wait_exit(10s);
    for (auto& t : threads) t.join();
  }
  double seconds = std::chrono::duration<double>(clock_type::now() - started).count();

  // Disk full.
  int disk_ok = 0;
  {
    binary_server s(data, limits);
    if (!s.start()) { std::cerr << s.log(); return 1; }
    ws_client ws;
    if (!ws.connect(s.port()) || !ws.hello(tokens["alice"])) { std::cerr << "disk-full: no ready\n"; return 1; }
    for (int round = 1; round <= disk_rounds; ++round) {
      auto id = "full-" + std::to_string(round);
      bool ok = set_file_limit(s.pid(), 0);
      ok = ok && ws.send_json(send_frame(group, id, "no room " + id));
      // The answer to the send: an ack or an error (presence and events may come first).
      auto answer = ws.read_until([](json const& f) { auto t = f.value("type", ""); return t == "ack" || t == "error"; }, 20s);
      bool refused = answer && answer->value("type", "") == "error" && answer->value("code", "") == "internal" &&
                     answer->value("ref", "") == id;
      ws.send_json({{"type", "ping"}});
      auto pong = ws.read_until([](json const& f) { auto t = f.value("type", ""); return t == "ack" || t == "pong"; }, 10s);
      bool quiet = pong && pong->value("type", "") == "pong";
      bool healthy = s.http().get("/healthz").status == 200;
      ok = ok && set_file_limit(s.pid(), RLIM_INFINITY);
      ws.send_json(send_frame(group, id, "no room " + id));
      auto ack = ws.read_until(frame_type("ack"), 10s);
      std::map<std::string, std::vector<std::int64_t>> stored;
      std::int64_t last = 0;
      stored_messages(s, tokens["alice"], group, stored, last);
      bool once = stored[id].size() == 1;
      bool pass = ok && refused && quiet && healthy && ack && once && s.running();
      disk_ok += pass;
      std::cout << "disk-full round " << round << ": refused " << refused << " (" << (answer ? answer->dump() : "nothing")
                << "), no ack before pong " << quiet << ", healthz " << healthy << ", stored once after room returned "
                << once << (pass ? "" : "  FAILED") << std::endl;
    }
  }

  std::sort(restart_ms.begin(), restart_ms.end());
  std::cout << "\nsummary: " << cycles << " kill -9 cycles in " << static_cast<int>(seconds) << " s; " << book.sent.load()
            << " sends, " << book.acked.size() << " acked, " << bad_cycles << " cycles with a lost, doubled or moved "
            << "acked message or a seq gap; restart to /healthz median "
            << (restart_ms.empty() ? 0 : static_cast<int>(restart_ms[restart_ms.size() / 2])) << " ms, max "
            << (restart_ms.empty() ? 0 : static_cast<int>(restart_ms.back())) << " ms; disk full: " << disk_ok << "/"
            << disk_rounds << " rounds refused cleanly and recovered" << std::endl;
  for (auto const& f : book.failures) std::cout << "failure: " << f << "\n";
  return bad_cycles == 0 && disk_ok == disk_rounds && book.failures.empty() ? 0 : 1;
}
