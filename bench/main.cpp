// SPDX-License-Identifier: MIT
// peerchat_bench: runs one scenario of issue 6 against a peerchat server and reports
// deliveries/s, end-to-end latency, delivery checks and the server's CPU and memory.
#include "http_client.hpp"
#include "load.hpp"
#include "server_process.hpp"
#include "setup.hpp"
#include "push_subscriptions.hpp"
#include "upload_load.hpp"
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <cmath>
#include <random>
#include <sched.h>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace peerchat::bench;
using json = nlohmann::ordered_json;

namespace {

constexpr char usage[] = R"(usage: peerchat_bench --scenario S1|S1max|S2|S2max|S3|S4 (--server-bin PATH | --url http://127.0.0.1:PORT) [options]

Scenarios (issue 6; every member receives every message of its group, the sender's echo included):
  S1     100 groups x 10 members, every member sends, open loop 2000 msg/s in total, 20 s
  S1max  the same, closed loop: each sender's next message leaves when its own echo arrives
  S2     1 group x 1000 members, 10 senders, open loop 20 msg/s, 20 s
  S2max  the same, closed loop
  S3     500 groups x 10 members (5000 connections), open loop 50 msg/s, 20 s; RSS per idle connection
  S4     1 group x 10 members, one offline while 100000 messages are sent, then it resumes from 0
  S5     "a real server": 2000 groups x 12 members (24000 accounts), 20 % of the members online
         (spread evenly), every online member sends, open loop 200 msg/s in total, 600 s.
         Setup hashes a password per account (about 100 s per 1000): scale it down with
         --groups/--members/--online-fraction/--duration

Server:
  --server-bin PATH        start PATH serve on 127.0.0.1 (fresh temp data dir, admin created, rate limits lifted)
  --url URL                a running server (http://127.0.0.1:PORT only); with --admin-user/--admin-password
  --server-pid PID         the running server's PID, for CPU and RSS from /proc (with --url)
  --admin-user NAME        default bench_admin
  --admin-password PW      default bench-admin-password
  --data-dir DIR           the server's data dir (with --server-bin); default a temp dir, removed at the end
  --keep-data              keep the data dir
  --reuse-accounts         keep the created accounts in the data dir (or --state-dir) and reuse them next time
  --state-dir DIR          where --reuse-accounts keeps them with --url
  --server-arg ARG         extra argument for `serve` (repeat), e.g. --server-arg=--io-threads --server-arg=2
  --server-cpu N           pin the started server to CPU N;   --bench-cpu N: pin the bench to CPU N
  --push-service URL       every member subscribes at this local push service (tests/push/push_service.py
                           --fast, http://127.0.0.1:PORT); add --server-arg=--push-allow-loopback
  --uploads-beside FILE    while sending, upload FILE as an attachment again and again (never attached);
                           raise the server's upload budget: --server-arg=--upload-rate --server-arg=1000000
  --uploaders N            concurrent uploaders for --uploads-beside (default 2)

Overrides:
  --duration S  --rate MSG_PER_S  --groups N  --members N  --senders N (per group)  --inflight N (closed loop)
  --messages N (S4 backlog)  --online-fraction F (0..1, the members that connect; S5 0.2, others 1)
  --body-bytes N  --threads N (bench io threads, default 1)
  --setup-parallel N (default 4)  --connect-parallel N (default 128)
)";

struct scenario {
  std::string name;
  int groups = 100, members = 10, senders = 10;  // senders per group
  send_mode mode = send_mode::open_loop;
  double rate = 2000;
  int inflight = 1;
  double duration = 20;
  std::uint64_t messages = 0;  // S4: the backlog
  bool idle_rss = false;       // S3
  bool backlog = false;        // S4
  double online_fraction = 1;  // S5: the share of members that connect, spread evenly
};

std::optional<scenario> named(std::string const& n) {
  scenario s;
  s.name = n;
  if (n == "S1") return s;
  if (n == "S1max") {
    s.mode = send_mode::closed_loop;
    return s;
  }
  if (n == "S2" || n == "S2max") {
    s.groups = 1, s.members = 1000, s.senders = 10, s.rate = 20;
    if (n == "S2max") s.mode = send_mode::closed_loop;
    return s;
  }
  if (n == "S3") {
    s.groups = 500, s.members = 10, s.senders = 10, s.rate = 50, s.idle_rss = true;
    return s;
  }
  if (n == "S5") {
    s.groups = 2000, s.members = 12, s.senders = 12, s.rate = 200, s.duration = 600, s.online_fraction = 0.2;
    return s;
  }
  if (n == "S4") {
    s.groups = 1, s.members = 10, s.senders = 9, s.mode = send_mode::closed_loop, s.inflight = 16;
    s.duration = 300, s.messages = 100000, s.backlog = true;
    return s;
  }
  return std::nullopt;
}

struct cli {
  std::map<std::string, std::vector<std::string>> values;
  std::string get(std::string const& k, std::string def = {}) const {
    auto it = values.find(k);
    return it == values.end() || it->second.empty() ? def : it->second.back();
  }
  bool has(std::string const& k) const { return values.count(k) > 0; }
};

cli parse(int argc, char** argv) {
  static const std::vector<std::string> switches{"keep-data", "reuse-accounts", "help"};
  cli c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    if (!a.starts_with("--")) throw std::runtime_error("unexpected argument '" + a + "'");
    std::string name = a.substr(2), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (std::find(switches.begin(), switches.end(), name) == switches.end()) {
      if (i + 1 >= argc) throw std::runtime_error("--" + name + " needs a value");
      value = argv[++i];
    }
    c.values[name].push_back(value);
  }
  return c;
}

void raise_fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

void pin(int pid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(pid, sizeof set, &set) != 0) std::perror("sched_setaffinity");
}

std::string fmt_ms(std::uint64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f ms", static_cast<double>(ns) / 1e6);
  return b;
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fixed(double v, int digits = 1) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

// The server's /metrics as name -> value, histogram buckets left out (empty when unavailable).
std::map<std::string, double> scrape_metrics(std::uint16_t port) {
  std::map<std::string, double> out;
  http_client c("127.0.0.1", port, std::chrono::seconds(10));
  char const* env_token = std::getenv("PEERCHAT_METRICS_TOKEN");
  auto r = c.request("GET", "/metrics", {}, env_token ? env_token : bench_metrics_token);
  if (r.status != 200) return out;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.find('{') != std::string::npos) continue;
    auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    try {
      out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    } catch (...) {
    }
  }
  return out;
}

int run(int argc, char** argv) {
  auto args = parse(argc, argv);
  if (args.has("help") || !args.has("scenario")) {
    std::cout << usage;
    return args.has("help") ? 0 : 2;
  }
  auto sc = named(args.get("scenario"));
  if (!sc) throw std::runtime_error("unknown scenario '" + args.get("scenario") + "'");
  if (args.has("duration")) sc->duration = std::stod(args.get("duration"));
  if (args.has("rate")) sc->rate = std::stod(args.get("rate"));
  if (args.has("groups")) sc->groups = std::stoi(args.get("groups"));
  if (args.has("members")) sc->members = std::stoi(args.get("members"));
  if (args.has("senders")) sc->senders = std::stoi(args.get("senders"));
  if (args.has("inflight")) sc->inflight = std::stoi(args.get("inflight"));
  if (args.has("messages")) sc->messages = std::stoull(args.get("messages"));
  if (args.has("online-fraction")) sc->online_fraction = std::stod(args.get("online-fraction"));
  if (!(sc->online_fraction > 0 && sc->online_fraction <= 1)) throw std::runtime_error("--online-fraction must be in (0, 1]");
  sc->senders = std::min(sc->senders, sc->members - (sc->backlog ? 1 : 0));
  if (sc->groups < 1 || sc->members < (sc->backlog ? 2 : 1) || sc->senders < 1 || sc->duration <= 0 ||
      sc->duration > 3600 || sc->inflight < 1)
    throw std::runtime_error("bad scenario parameters");

  raise_fd_limit();
  if (args.has("bench-cpu")) pin(0, std::stoi(args.get("bench-cpu")));
  std::string admin_user = args.get("admin-user", "bench_admin");
  std::string admin_password = args.get("admin-password", "bench-admin-password");

  std::unique_ptr<server_process> server;
  std::optional<fs::path> temp_dir;
  std::optional<fs::path> state_dir;
  std::uint16_t port = 0;
  int server_pid = -1;
  if (args.has("server-bin")) {
    fs::path data_dir;
    if (args.has("data-dir")) {
      data_dir = args.get("data-dir");
    } else {
      std::string tmpl = (fs::temp_directory_path() / "peerchat-bench-XXXXXX").string();
      if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
      data_dir = tmpl;
      if (!args.has("keep-data")) temp_dir = data_dir;
    }
    bool fresh = !fs::exists(data_dir / "peerchat.db") && !fs::exists(data_dir / "bench_admin_created");
    std::vector<std::string> extra = args.values.count("server-arg") ? args.values.at("server-arg") : std::vector<std::string>{};
    server = std::make_unique<server_process>(args.get("server-bin"), data_dir, admin_user, admin_password, extra, fresh);
    if (fresh) std::ofstream(data_dir / "bench_admin_created") << admin_user << "\n";
    port = server->port();
    server_pid = server->pid();
    if (args.has("server-cpu")) pin(server_pid, std::stoi(args.get("server-cpu")));
    if (args.has("reuse-accounts")) state_dir = data_dir;
  } else if (args.has("url")) {
    std::string url = args.get("url");
    const std::string prefix = "http://127.0.0.1:";
    if (!url.starts_with(prefix)) throw std::runtime_error("--url must be http://127.0.0.1:PORT (the bench targets loopback only)");
    port = static_cast<std::uint16_t>(std::stoi(url.substr(prefix.size())));
    if (args.has("server-pid")) server_pid = std::stoi(args.get("server-pid"));
    if (args.has("reuse-accounts")) state_dir = fs::path(args.get("state-dir", "."));
  } else {
    throw std::runtime_error("give --server-bin PATH or --url http://127.0.0.1:PORT");
  }
  auto cleanup = [&] {
    std::string status = server ? server->stop() : "";
    if (temp_dir) {
      std::error_code ec;
      fs::remove_all(*temp_dir, ec);
    }
    return status;
  };

  std::cerr << "peerchat_bench " << sc->name << ": server on 127.0.0.1:" << port
            << (server_pid > 0 ? " pid " + std::to_string(server_pid) : "") << "\n";
  setup_options so;
  so.port = port;
  so.admin_user = admin_user;
  so.admin_password = admin_password;
  so.groups = sc->groups;
  so.members = sc->members;
  so.parallel = std::stoi(args.get("setup-parallel", "4"));
  so.state_dir = state_dir;
  std::cerr << "  setup: " << sc->groups << " groups x " << sc->members << " members through the API...\n";
  auto setup = run_setup(so);
  if (args.has("push-service")) {
    std::string url = args.get("push-service");
    const std::string prefix = "http://127.0.0.1:";
    if (!url.starts_with(prefix)) throw std::runtime_error("--push-service must be http://127.0.0.1:PORT");
    auto push_port = static_cast<std::uint16_t>(std::stoi(url.substr(prefix.size())));
    std::cerr << "  push: " << subscribe_members(setup, so.host, port, push_port) << " subscriptions registered\n";
  }

  std::unique_ptr<upload_load> uploads;
  if (args.has("uploads-beside"))
    uploads = std::make_unique<upload_load>(setup, so.host, port, args.get("uploads-beside"),
                                            std::stoi(args.get("uploaders", "2")));

  // One connection per member; the first `senders` members of each group send; in S4 the last is offline.
  std::vector<connection_spec> specs;
  std::vector<int> online;
  int offline = -1;
  for (int g = 0; g < sc->groups; ++g)
    for (int m = 0; m < sc->members; ++m) {
      connection_spec s;
      s.group_index = g;
      s.group_id = setup.groups[static_cast<std::size_t>(g)].id;
      s.token = setup.groups[static_cast<std::size_t>(g)].members[static_cast<std::size_t>(m)].token;
      s.sender = m < sc->senders;
      bool is_offline = sc->backlog && g == 0 && m == sc->members - 1;
      // With --online-fraction F, member i (counted over all groups) connects when
      // floor((i+1)F) > floor(iF): exactly F of them, spread evenly over the groups.
      auto i = static_cast<double>(specs.size());
      bool stays_away = std::floor((i + 1) * sc->online_fraction) == std::floor(i * sc->online_fraction);
      if (is_offline) {
        s.resume = 0;
        offline = static_cast<int>(specs.size());
      } else if (stays_away) {
        s.sender = false;  // never connects
      } else {
        online.push_back(static_cast<int>(specs.size()));
      }
      specs.push_back(std::move(s));
    }
  int total_senders = 0;
  for (auto const& s : specs) total_senders += s.sender ? 1 : 0;

  load_options lo;
  lo.port = port;
  lo.threads = std::stoi(args.get("threads", "1"));
  lo.connect_parallel = std::stoi(args.get("connect-parallel", "128"));
  lo.body_bytes = std::stoi(args.get("body-bytes", "100"));
  {
    std::random_device rd;
    lo.run_tag = "r" + std::to_string(rd() % 1000000000);
  }
  auto sample = [&]() -> proc_sample {
    if (server_pid <= 0) return {};
    return sample_process(server_pid).value_or(proc_sample{});
  };

  load L(lo, specs);
  auto before_connect = sample();
  auto t_connect = std::chrono::steady_clock::now();
  L.connect(online);
  std::cerr << "  connecting " << online.size() << " WebSockets...\n";
  auto connect_deadline = t_connect + std::chrono::seconds(60 + online.size() / 50);
  while (std::chrono::steady_clock::now() < connect_deadline) {
    auto c = L.counts();
    if (c.ready + c.failed >= online.size()) break;
    std::this_thread::sleep_for(5ms);
  }
  double connect_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_connect).count();
  auto after_connect = sample();
  // Quiesce: connecting N members of one group makes the server send N x N presence frames;
  // the window opens only once the bench receives nothing for 1 s and the server's CPU use
  // has dropped under 10 % of a core (bounded at 180 s), so it measures messages only.
  auto t_quiet = std::chrono::steady_clock::now();
  std::uint64_t frames_before_quiet = L.counts().frames;
  {
    int quiet = 0;
    auto prev = sample();
    std::uint64_t prev_frames = L.counts().frames;
    while (quiet < 2 && std::chrono::steady_clock::now() - t_quiet < 180s) {
      std::this_thread::sleep_for(500ms);
      auto now = sample();
      std::uint64_t f = L.counts().frames;
      bool idle_now = f == prev_frames && (server_pid <= 0 || now.cpu_seconds - prev.cpu_seconds < 0.05);
      quiet = idle_now ? quiet + 1 : 0;
      prev = now;
      prev_frames = f;
    }
  }
  double quiesce_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_quiet).count();
  std::uint64_t connect_frames = L.counts().frames;
  if (sc->idle_rss) std::this_thread::sleep_for(1s);
  auto idle = sample();

  // The measured window.
  send_plan plan;
  plan.mode = sc->mode;
  plan.rate = sc->rate;
  plan.inflight = sc->inflight;
  plan.max_messages = sc->messages;
  // The peak RSS of the window, not of the setup (Argon2id hashing alone takes tens of MiB).
  bool window_peak = server_pid > 0 && reset_peak(server_pid);
  auto m0 = scrape_metrics(port);
  auto s0 = sample();
  double bench_cpu0 = self_cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  std::cerr << "  sending for " << (sc->messages ? "up to " : "") << sc->duration << " s"
            << (sc->messages ? " or " + std::to_string(sc->messages) + " messages" : "") << "...\n";
  if (uploads) uploads->start();
  L.start(plan);
  auto window_end = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(sc->duration));
  while (std::chrono::steady_clock::now() < window_end) {
    std::this_thread::sleep_for(sc->messages ? 2ms : 20ms);
    if (sc->messages) {
      auto c = L.counts();
      if (c.acked + c.errors >= sc->messages) break;
    }
    if (server && !server->running()) break;
  }
  L.stop_sending();
  if (uploads) uploads->stop();
  auto t1 = std::chrono::steady_clock::now();
  auto s1 = sample();
  double bench_cpu1 = self_cpu_seconds();
  auto at_stop = L.counts();
  double window = std::chrono::duration<double>(t1 - t0).count();

  // Drain: every sent message acked or refused, every expected delivery in (bounded).
  auto drain_start = std::chrono::steady_clock::now();
  auto last_progress = drain_start;
  std::uint64_t last_seen = 0;
  while (std::chrono::steady_clock::now() - drain_start < 60s && std::chrono::steady_clock::now() - last_progress < 5s) {
    auto c = L.counts();
    if (c.acked + c.errors >= c.sent && c.deliveries >= c.expected_deliveries) break;
    if (c.deliveries + c.acked != last_seen) last_seen = c.deliveries + c.acked, last_progress = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(10ms);
  }
  auto s2 = sample();
  auto m1 = scrape_metrics(port);
  auto delta = [&](std::string const& k) { return m1.count(k) && m0.count(k) ? m1[k] - m0[k] : 0.0; };
  double commits = delta("peerchat_commits_total"), committed = delta("peerchat_events_committed_total");
  double commit_latency_count = delta("peerchat_commit_latency_seconds_count");
  json metrics = {{"events_committed", committed},
                  {"commits", commits},
                  {"mean_batch", commits > 0 ? committed / commits : 0.0},
                  {"mean_commit_ms", commit_latency_count > 0 ? 1000 * delta("peerchat_commit_latency_seconds_sum") / commit_latency_count : 0.0},
                  {"slow_consumer_closes", delta("peerchat_slow_consumer_closes_total")},
                  {"rate_limited_frames", delta("peerchat_rate_limited_frames_total")}};
  auto drained = L.counts();
  bool drain_complete = drained.acked + drained.errors >= drained.sent && drained.deliveries >= drained.expected_deliveries;
  double drain_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_start).count();

  // S4: the offline member comes back with resume {G: 0}.
  json catchup;
  if (offline >= 0) {
    std::this_thread::sleep_for(1s);
    auto before = sample();
    bool peak_reset = server_pid > 0 && reset_peak(server_pid);
    auto b = sample();
    std::int64_t max_rss = b.rss_kib;
    auto tc = std::chrono::steady_clock::now();
    L.connect({offline});
    while (std::chrono::steady_clock::now() - tc < 300s) {
      auto c = L.counts();
      if (c.catchup_done > 0 || c.failed > 0) break;
      max_rss = std::max(max_rss, sample().rss_kib);
      std::this_thread::sleep_for(10ms);
    }
    auto after = sample();
    std::uint64_t ns = L.catchup_ns(offline);
    std::uint64_t events = L.events_received(offline);
    std::int64_t peak = peak_reset ? std::max(after.hwm_kib, max_rss) : max_rss;
    catchup = {{"done", ns > 0},
               {"seconds", ns / 1e9},
               {"events", events},
               {"events_per_s", ns ? static_cast<double>(events) / (ns / 1e9) : 0.0},
               {"server_cpu_s", after.cpu_seconds - before.cpu_seconds},
               {"rss_before_kib", before.rss_kib},
               {"rss_peak_kib", peak},
               {"rss_growth_kib", peak - before.rss_kib},
               {"peak_from", peak_reset ? "VmHWM after clear_refs, and VmRSS sampled every 10 ms" : "VmRSS sampled every 10 ms"}};
  }

  auto r = L.finish();
  bool server_alive = !server || server->running();
  std::vector<std::string> trouble = server ? server->trouble_lines(20) : std::vector<std::string>{};
  std::string log_path = server ? server->log_path().string() : "";

  double cpu = s1.cpu_seconds - s0.cpu_seconds;
  double deliveries_per_s = static_cast<double>(at_stop.window_deliveries) / window;
  double per_cpu = cpu > 0 ? static_cast<double>(at_stop.window_deliveries) / cpu : 0;
  double idle_per_conn =
      online.empty() ? 0 : static_cast<double>(idle.rss_kib - before_connect.rss_kib) / static_cast<double>(online.size());

  json out;
  out["scenario"] = sc->name;
  out["groups"] = sc->groups;
  out["members"] = sc->members;
  out["connections"] = online.size() + (offline >= 0 ? 1 : 0);
  out["online_fraction"] = sc->online_fraction;
  out["senders"] = total_senders;
  out["mode"] = sc->mode == send_mode::open_loop ? "open" : "closed";
  if (sc->mode == send_mode::open_loop) out["rate"] = sc->rate;
  else out["inflight_per_sender"] = sc->inflight;
  out["body_bytes"] = lo.body_bytes;
  if (uploads) {
    auto u = uploads->counts();
    out["uploads_beside"] = {{"uploads", u.uploads}, {"refused", u.refused}, {"bytes", u.bytes},
                             {"per_second", window > 0 ? u.uploads / window : 0.0}};
  }
  out["bench_threads"] = lo.threads;
  out["setup"] = {{"seconds", setup.seconds}, {"accounts_created", setup.users_created}, {"reused_from", setup.reused_from}};
  out["connect"] = {{"ready", r.totals.ready}, {"failed", r.totals.failed}, {"seconds", connect_seconds},
                    {"p50_ms", ms(r.connect_ns.quantile(0.5))}, {"p99_ms", ms(r.connect_ns.quantile(0.99))},
                    {"max_ms", ms(r.connect_ns.max())},
                    // Server CPU from the first connect until every member was ready, and until
                    // the server was idle again (presence fan-out included).
                    {"server_cpu_s", after_connect.cpu_seconds - before_connect.cpu_seconds},
                    {"server_cpu_until_quiet_s", idle.cpu_seconds - before_connect.cpu_seconds}};
  out["quiesce"] = {{"seconds", quiesce_seconds}, {"frames_after_ready", connect_frames - frames_before_quiet},
                    {"frames_before_window", connect_frames}};
  out["window_s"] = window;
  out["sent"] = at_stop.sent;
  out["messages_per_s"] = static_cast<double>(at_stop.acked) / window;
  out["deliveries_in_window"] = at_stop.window_deliveries;
  out["deliveries_per_s"] = deliveries_per_s;
  out["latency_ms"] = {{"p50", ms(r.latency_ns.quantile(0.5))}, {"p90", ms(r.latency_ns.quantile(0.9))},
                       {"p99", ms(r.latency_ns.quantile(0.99))}, {"p999", ms(r.latency_ns.quantile(0.999))},
                       {"max", ms(r.latency_ns.max())}, {"mean", r.latency_ns.mean() / 1e6}, {"samples", r.latency_ns.count()}};
  out["totals"] = {{"sent", r.totals.sent}, {"acked", r.totals.acked}, {"errors", r.totals.errors},
                   {"deliveries", r.totals.deliveries}, {"expected_deliveries", r.totals.expected_deliveries}};
  out["drain"] = {{"complete", drain_complete}, {"seconds", drain_seconds},
                  {"unacked_at_end", drained.sent - drained.acked - drained.errors}};
  out["check"] = {{"missing", r.missing}, {"duplicates", r.duplicates}, {"duplicate_acks", r.duplicate_acks},
                  {"out_of_order", r.out_of_order}, {"closed_by_server", r.totals.closed}};
  out["server"] = {{"cpu_s", cpu}, {"cpu_share_of_one_core", cpu / window}, {"deliveries_per_cpu_s", per_cpu},
                   {"rss_kib", s1.rss_kib}, {"peak_rss_kib", std::max({s1.hwm_kib, s2.hwm_kib})},
                   {"peak_is_window_only", window_peak},
                   {"threads", s1.threads}, {"alive_at_end", server_alive}};
  if (!m1.empty()) out["server_metrics"] = metrics;
  out["bench_cpu_s"] = bench_cpu1 - bench_cpu0;
  out["bench_deliveries_per_cpu_s"] =
      bench_cpu1 > bench_cpu0 ? static_cast<double>(at_stop.window_deliveries) / (bench_cpu1 - bench_cpu0) : 0;
  if (sc->idle_rss)
    out["idle"] = {{"rss_before_kib", before_connect.rss_kib}, {"rss_connected_kib", idle.rss_kib},
                   {"kib_per_connection", idle_per_conn}};
  if (offline >= 0) out["catchup"] = catchup;
  out["errors_sample"] = r.error_samples;

  auto& o = std::cout;
  o << "\n== peerchat_bench " << sc->name << " ==\n";
  o << "shape       " << sc->groups << " groups x " << sc->members << " members, " << total_senders << " senders, "
    << (sc->mode == send_mode::open_loop ? "open loop " + fixed(sc->rate, 0) + " msg/s"
                                          : "closed loop, " + std::to_string(sc->inflight) + " in flight per sender")
    << ", body " << lo.body_bytes << " B"
    << (sc->online_fraction < 1 ? ", " + std::to_string(online.size()) + " members online" : std::string()) << "\n";
  o << "setup       " << (setup.users_created ? std::to_string(setup.users_created) + " accounts created" : "accounts reused")
    << " in " << fixed(setup.seconds) << " s (not measured)\n";
  o << "connect     " << r.totals.ready << " ready, " << r.totals.failed << " failed, in " << fixed(connect_seconds, 2)
    << " s; per connection p50 " << fmt_ms(r.connect_ns.quantile(0.5)) << ", p99 " << fmt_ms(r.connect_ns.quantile(0.99))
    << ", max " << fmt_ms(r.connect_ns.max()) << "; server CPU " << fixed(after_connect.cpu_seconds - before_connect.cpu_seconds, 2)
    << " s, " << fixed(idle.cpu_seconds - before_connect.cpu_seconds, 2) << " s until quiet\n";
  o << "quiesce     " << fixed(quiesce_seconds, 1) << " s until the server was idle; " << connect_frames
    << " frames (ready, presence) received before the window\n";
  o << "window      " << fixed(window, 2) << " s: sent " << at_stop.sent << ", acked " << at_stop.acked << " ("
    << fixed(static_cast<double>(at_stop.acked) / window, 0) << " msg/s), errors " << at_stop.errors << "\n";
  o << "deliveries  " << at_stop.window_deliveries << " in the window = " << fixed(deliveries_per_s, 0) << " /s\n";
  o << "latency     p50 " << fmt_ms(r.latency_ns.quantile(0.5)) << ", p99 " << fmt_ms(r.latency_ns.quantile(0.99))
    << ", p99.9 " << fmt_ms(r.latency_ns.quantile(0.999)) << ", max " << fmt_ms(r.latency_ns.max()) << " ("
    << r.latency_ns.count() << " deliveries)\n";
  o << "drain       " << fixed(drain_seconds, 2) << " s after the window; "
    << (drain_complete ? "complete" : "INCOMPLETE (missing below counts deliveries still owed when the bench gave up)") << ", "
    << drained.sent - drained.acked - drained.errors << " sends unacked\n";
  o << "check       missing " << r.missing << ", duplicates " << r.duplicates << ", duplicate acks " << r.duplicate_acks
    << ", closed by server " << r.totals.closed << ", deliveries " << r.totals.deliveries << " of "
    << r.totals.expected_deliveries << " expected\n";
  if (server_pid > 0) {
    o << "server      " << fixed(cpu, 2) << " CPU s in the window (" << fixed(100 * cpu / window) << " % of a core); "
      << fixed(per_cpu, 0) << " deliveries per server CPU-second\n";
    o << "            RSS " << s1.rss_kib / 1024 << " MiB, peak " << std::max(s1.hwm_kib, s2.hwm_kib) / 1024 << " MiB, "
      << s1.threads << " threads" << (server_alive ? "" : "; THE SERVER EXITED") << "\n";
  }
  if (!m1.empty())
    o << "commits     " << metrics["events_committed"].get<double>() << " events in " << metrics["commits"].get<double>()
      << " transactions (mean batch " << fixed(metrics["mean_batch"].get<double>()) << ", mean commit "
      << fixed(metrics["mean_commit_ms"].get<double>(), 2) << " ms); slow-consumer closes "
      << metrics["slow_consumer_closes"].get<double>() << ", rate-limited " << metrics["rate_limited_frames"].get<double>()
      << " (window and drain)\n";
  o << "bench       " << fixed(bench_cpu1 - bench_cpu0, 2) << " CPU s in the window ("
    << fixed(bench_cpu1 > bench_cpu0 ? static_cast<double>(at_stop.window_deliveries) / (bench_cpu1 - bench_cpu0) : 0, 0)
    << " deliveries per bench CPU-second, " << lo.threads << " io thread" << (lo.threads > 1 ? "s" : "") << ")\n";
  if (sc->idle_rss)
    o << "idle        RSS " << before_connect.rss_kib << " KiB before connecting, " << idle.rss_kib << " KiB with "
      << online.size() << " idle connections: " << fixed(idle_per_conn, 2) << " KiB per connection\n";
  if (offline >= 0)
    o << "catch-up    " << catchup["events"] << " events in " << fixed(catchup["seconds"].get<double>(), 3) << " s = "
      << fixed(catchup["events_per_s"].get<double>(), 0) << " events/s; server RSS " << catchup["rss_before_kib"]
      << " KiB before, peak " << catchup["rss_peak_kib"] << " KiB (+" << catchup["rss_growth_kib"].get<std::int64_t>() / 1024
      << " MiB), out of order " << r.out_of_order << "\n";
  for (auto const& e : r.error_samples) o << "error       " << e << "\n";
  for (auto const& t : trouble) o << "server log  " << t << "\n";
  std::string status = cleanup();
  if (server) o << "server exit " << status << (temp_dir ? "" : " (log " + log_path + ")") << "\n";
  out["server_exit"] = status;
  o << "JSON " << out.dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (std::exception const& e) {
    std::cerr << "peerchat_bench: " << e.what() << "\n";
    return 1;
  }
}
