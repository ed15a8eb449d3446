// SPDX-License-Identifier: MIT
// peerchat_writer_bench: how many messages the store's writer commits per second.
//
// Issue 6 asks the writer to sustain >= 20 000 committed messages/s with synchronous=FULL by
// batching. This drives the real service (messages::send_async: membership check,
// idempotency look-up, message + FTS5 row, seq, event) on a real SQLite file with a bounded
// number of sends in flight, the way the gateway drives it, and reports messages/s, the batch
// sizes group commit reached, the commit time and the process's CPU time. No sockets: this is
// the commit path alone; the gateway scenarios are in peerchat_bench.
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/messages.hpp"
#include "peerchat/store/migrations.hpp"
#include "peerchat/store/reader.hpp"
#include "peerchat/store/writer.hpp"
#include <sys/resource.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace peerchat;

namespace {

struct options {
  fs::path dir;
  bool keep = false;
  int groups = 100;
  int members = 10;
  int messages = 100000;
  int inflight = 1000;
  std::string ids = "counter";  // how client_msg_ids are made: counter, random (UUID v4), time (UUID v7)
};

void usage() {
  std::cerr << "usage: peerchat_writer_bench [--dir DIR] [--keep] [--groups N] [--members N]\n"
               "                             [--messages N] [--inflight N] [--ids counter|random|time]\n"
               "  Without --dir a temp dir is made and removed. With --dir an existing database is\n"
               "  reused (its users wb_*_* and groups are created once), so a run can start from a\n"
               "  large log. --ids: each send's client_msg_id is the run's id and a counter (the\n"
               "  default), a random UUID (v4, as the web client made them until 2026-11-29) or a UUID v7\n"
               "  (the time in milliseconds, then random bits, as it makes them now).\n";
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--dir") o.dir = value();
    else if (a == "--keep") o.keep = true;
    else if (a == "--groups") o.groups = std::stoi(value());
    else if (a == "--members") o.members = std::stoi(value());
    else if (a == "--messages") o.messages = std::stoi(value());
    else if (a == "--inflight") o.inflight = std::stoi(value());
    else if (a == "--ids") o.ids = value();
    else {
      usage();
      std::exit(a == "--help" ? 0 : 2);
    }
  }
  if (o.ids != "counter" && o.ids != "random" && o.ids != "time") {
    usage();
    std::exit(2);
  }
  return o;
}

// A UUID in its text form: version 4 (random) or version 7 (milliseconds since 1970 in the
// first 48 bits, then random), as RFC 9562 lays them out.
std::string uuid(bool time_ordered, std::mt19937_64& random) {
  std::uint64_t hi = random(), lo = random();
  if (time_ordered) {
    auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count());
    hi = (ms << 16) | 0x7000 | (hi & 0x0fff);
  } else {
    hi = (hi & ~std::uint64_t{0xf000}) | 0x4000;
  }
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>(hi >> 16) & 0xffff, static_cast<unsigned>(hi) & 0xffff,
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The senders: member m of group g, created directly in SQL (no Argon2id: nobody logs in).
struct roster {
  std::vector<group_id> groups;
  std::vector<std::vector<user>> members;  // per group
};

roster make_roster(store::writer& w, options const& o) {
  return w.call([&](store::database& db, store::event_list&) -> result<roster> {
    roster r;
    for (int g = 0; g < o.groups; ++g) {
      std::string gname = "wb_" + std::to_string(g);
      auto& find = db.prepare("SELECT id FROM groups WHERE name = ?1").bind(1, gname);
      group_id gid;
      if (find.step()) {
        gid = group_id{find.int64(0)};
        find.reset();
      } else {
        db.prepare("INSERT INTO groups (name, created_at) VALUES (?1, 0)").bind(1, gname).exec();
        gid = group_id{db.last_insert_rowid()};
      }
      r.groups.push_back(gid);
      r.members.emplace_back();
      for (int m = 0; m < o.members; ++m) {
        std::string uname = gname + "_" + std::to_string(m);
        auto& u = db.prepare("SELECT id FROM users WHERE username = ?1").bind(1, uname);
        user who;
        who.username = uname;
        who.display_name = uname;
        if (u.step()) {
          who.id = user_id{u.int64(0)};
          u.reset();
        } else {
          auto made = service::insert_user(db, uname, uname, "-", false, 0);
          if (!made) return made.error();
          who = *made;
        }
        db.prepare("INSERT OR IGNORE INTO memberships (group_id, user_id, role, joined_at) VALUES (?1, ?2, 'member', 0)")
            .bind(1, raw(gid))
            .bind(2, raw(who.id))
            .exec();
        r.members.back().push_back(who);
      }
    }
    return r;
  }).value();
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse(argc, argv);
  bool temp = o.dir.empty();
  if (temp) o.dir = fs::temp_directory_path() / ("peerchat-writer-bench-" + std::to_string(getpid()));
  fs::create_directories(o.dir);
  auto file = o.dir / "peerchat.db";
  {
    store::database db(file, store::database::mode::read_write);
    store::migrate(db);
  }

  config cfg;
  cfg.limits.send_per_second = 1e9;
  cfg.limits.send_burst = 1e9;
  system_clock clock;
  store::writer writer(file);
  store::reader reader(file);
  service::context ctx{writer, reader, clock, cfg, {}};
  service::messages messages(ctx);
  roster r = make_roster(writer, o);
  auto before = writer.statistics();

  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0, acked = 0, failed = 0;
  std::string body(100, 'x');
  std::string run_id = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937_64 random(std::random_device{}());
  std::vector<double> latency_ms;  // send to ack, per message
  latency_ms.reserve(static_cast<std::size_t>(o.messages));

  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < o.messages; ++i) {
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return in_flight < o.inflight; });
      ++in_flight;
    }
    std::size_t g = static_cast<std::size_t>(i % o.groups);
    auto const& who = r.members[g][static_cast<std::size_t>((i / o.groups) % o.members)];
    std::string id = o.ids == "counter" ? run_id + "-" + std::to_string(i) : uuid(o.ids == "time", random);
    service::send_request req{r.groups[g], body, std::move(id), std::nullopt, {}};
    auto sent_at = std::chrono::steady_clock::now();
    auto checked = messages.prepare_send(who, std::move(req));
    if (!checked) {
      std::cerr << "rejected: " << checked.error().message << "\n";
      return 1;
    }
    messages.send_async(who, std::move(*checked), [&, sent_at](result<service::send_result> sent) {
      auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent_at).count();
      std::lock_guard lock(mutex);
      latency_ms.push_back(took);
      --in_flight;
      (sent && sent->created ? acked : failed)++;
      changed.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return in_flight == 0; });
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;
  auto after = writer.statistics();
  writer.stop();

  double batches = static_cast<double>(after.batches - before.batches);
  double jobs = static_cast<double>(after.jobs - before.jobs);
  std::printf("== peerchat_writer_bench ==\n");
  std::printf("shape       %d groups x %d members, %d messages of %zu B, %d in flight, synchronous=FULL\n",
              o.groups, o.members, o.messages, body.size(), o.inflight);
  std::printf("committed   %d (failed %d) in %.2f s = %.0f messages/s\n", acked, failed, seconds, acked / seconds);
  std::printf("batches     %.0f transactions, mean batch %.1f, largest %zu\n", batches, jobs / batches,
              after.largest_batch);
  std::printf("cpu         %.2f s (%.1f us per message)\n", cpu, cpu / acked * 1e6);
  std::sort(latency_ms.begin(), latency_ms.end());
  auto percentile = [&](double p) {
    return latency_ms.empty() ? 0.0 : latency_ms[static_cast<std::size_t>(p * static_cast<double>(latency_ms.size() - 1))];
  };
  std::printf("latency     send to ack: p50 %.2f ms, p99 %.2f ms, max %.2f ms (client_msg_ids: %s)\n", percentile(0.5),
              percentile(0.99), percentile(1.0), o.ids.c_str());
  std::printf("JSON {\"messages\":%d,\"failed\":%d,\"seconds\":%.3f,\"messages_per_s\":%.0f,\"transactions\":%.0f,"
              "\"mean_batch\":%.1f,\"largest_batch\":%zu,\"cpu_s\":%.3f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
              "\"max_ms\":%.3f,\"ids\":\"%s\"}\n",
              acked, failed, seconds, acked / seconds, batches, jobs / batches, after.largest_batch, cpu, percentile(0.5),
              percentile(0.99), percentile(1.0), o.ids.c_str());
  if (temp && !o.keep) fs::remove_all(o.dir);
  return failed == 0 ? 0 : 1;
}
