// SPDX-License-Identifier: MIT
// The WebSocket load: one Beast client per member, spread over worker threads.
//
// The receive path must stay far cheaper than the server's send path, or the bench measures
// itself. Beast does the handshake and the (masked) client writes; the server's frames are
// read by hand: each readable socket is drained with non-blocking reads into one 256 KiB
// buffer per worker (an idle connection holds no read buffer), every complete frame in it is
// cut out in place, and the few fields that matter ("type", "kind", "group_id", "seq" and the
// body's timestamp) are found by a scan instead of a JSON parse.
#include "load.hpp"
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <thread>

namespace peerchat::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Single-writer counter: the owning worker adds, the main thread reads.
struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

// The integer after `key` in f, or false.
bool int_after(std::string_view f, std::string_view key, std::int64_t& out, std::size_t from = 0) {
  auto p = f.find(key, from);
  if (p == std::string_view::npos) return false;
  p += key.size();
  auto [end, ec] = std::from_chars(f.data() + p, f.data() + f.size(), out);
  return ec == std::errc();
}

constexpr std::size_t max_error_samples = 20;

}  // namespace

struct load::connection {
  connection(worker& w, int index, connection_spec const& spec, asio::io_context& io)
      : w(w), index(index), spec(spec), ws(io) {}
  worker& w;
  int index;
  connection_spec const& spec;
  websocket::stream<tcp::socket> ws;
  std::string carry;      // the start of a frame whose end has not arrived
  std::string fragments;  // a fragmented message being reassembled
  bool pong_in_flight = false;
  std::deque<std::string> out;  // frames waiting for the one write in flight
  bool writing = false;
  enum class state { idle, connecting, ready, closed } st = state::idle;
  std::uint64_t connect_started = 0, hello_sent = 0;
  std::int64_t base_seq = 0;      // deliveries are counted from here (ready's last_seq, or the resume point)
  std::int64_t target_seq = 0;    // a resumed connection is caught up at this seq
  std::int64_t last_seq = 0;      // the last event seq received
  std::vector<std::uint8_t> seen; // deliveries per seq - base_seq - 1, saturating at 255
  std::atomic<std::uint64_t> catchup_ns{0};  // written by the worker, read by the main thread
  std::atomic<bool> was_ready{false};
  std::uint64_t next_msg = 0;
  int inflight = 0;
  counter events;
};

struct load::worker {
  explicit worker(load& l) : l(l), io(1), guard(asio::make_work_guard(io)), tick(io) {}
  load& l;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  asio::steady_timer tick;
  std::thread thread;
  std::vector<std::unique_ptr<connection>> conns;
  std::deque<connection*> to_connect;
  int connecting = 0, connect_limit = 16;
  std::vector<connection*> senders;
  std::size_t next_sender = 0;
  send_plan plan;
  double rate = 0;  // this worker's share of the open-loop rate
  std::uint64_t open_started = 0, open_sent = 0;
  tcp::endpoint endpoint;
  std::string padding;
  std::vector<char> rbuf;  // shared by the worker's connections: reads complete one at a time

  histogram latency, connect_time;
  std::vector<std::pair<int, std::int64_t>> acks;  // (group index, seq)
  std::vector<std::string> error_samples;
  counter sent, acked, errors, deliveries, window_deliveries, expected, ready, failed, closed, catchup_done, frames;
  std::uint64_t out_of_order = 0;

  void note_error(std::string s) {
    if (error_samples.size() < max_error_samples) error_samples.push_back(std::move(s));
  }

  // --- connecting -----------------------------------------------------------------------
  void pump_connects() {
    while (connecting < connect_limit && !to_connect.empty()) {
      auto* c = to_connect.front();
      to_connect.pop_front();
      ++connecting;
      start_connect(*c);
    }
  }

  void connect_done(connection& c, bool ok, std::string const& why) {
    --connecting;
    if (ok) {
      ready.add();
      connect_time.record(now_ns() - c.connect_started);
    } else {
      failed.add();
      c.st = connection::state::closed;
      note_error("connection " + std::to_string(c.index) + ": " + why);
    }
    pump_connects();
  }

  void start_connect(connection& c) {
    c.st = connection::state::connecting;
    c.connect_started = now_ns();
    c.ws.next_layer().async_connect(endpoint, [this, &c](beast::error_code ec) {
      if (ec) return connect_done(c, false, "connect: " + ec.message());
      beast::error_code ignored;
      c.ws.next_layer().set_option(tcp::no_delay(true), ignored);
      websocket::stream_base::timeout t{std::chrono::seconds(30), websocket::stream_base::none(), false};
      c.ws.set_option(t);
      c.ws.read_message_max(16 << 20);
      c.ws.auto_fragment(false);
      std::string host = l.o_.host + ":" + std::to_string(l.o_.port);
      c.ws.async_handshake(host, "/api/v1/ws", [this, &c](beast::error_code ec) {
        if (ec) return connect_done(c, false, "handshake: " + ec.message());
        nlohmann::json hello{{"type", "hello"}, {"token", c.spec.token}};
        if (c.spec.resume) hello["resume"] = {{std::to_string(c.spec.group_id), *c.spec.resume}};
        c.hello_sent = now_ns();
        enqueue(c, hello.dump());
        do_read(c);
      });
    });
  }

  // --- writing --------------------------------------------------------------------------
  void enqueue(connection& c, std::string frame) {
    c.out.push_back(std::move(frame));
    if (!c.writing) do_write(c);
  }

  void do_write(connection& c) {
    c.writing = true;
    c.ws.async_write(asio::buffer(c.out.front()), [this, &c](beast::error_code ec, std::size_t) { on_write(c, ec); });
  }

  void on_write(connection& c, beast::error_code ec) {
    c.writing = false;
    if (ec) return;  // the read side reports the close
    c.out.pop_front();
    if (!c.out.empty()) do_write(c);
  }

  void send_message(connection& c) {
    if (l.bounded_) {
      // Claim one message of the budget; the last claimer stops everyone.
      auto left = l.budget_.load(std::memory_order_relaxed);
      do {
        if (left == 0) return;
      } while (!l.budget_.compare_exchange_weak(left, left - 1, std::memory_order_relaxed));
    }
    std::uint64_t n = ++c.next_msg;
    std::string ts = std::to_string(now_ns());
    std::string body = "t=" + ts + " s=" + std::to_string(c.index) + " ";
    if (static_cast<int>(body.size()) < l.o_.body_bytes) body.append(padding, 0, static_cast<std::size_t>(l.o_.body_bytes) - body.size());
    std::string frame;
    frame.reserve(body.size() + 120);
    frame += R"({"type":"send","group_id":)";
    frame += std::to_string(c.spec.group_id);
    frame += R"(,"client_msg_id":")";
    frame += l.o_.run_tag;
    frame += '-';
    frame += std::to_string(c.index);
    frame += '-';
    frame += std::to_string(n);
    frame += R"(","body":")";
    frame += body;
    frame += "\"}";
    ++c.inflight;
    sent.add();
    enqueue(c, std::move(frame));
  }

  // --- reading --------------------------------------------------------------------------
  void do_read(connection& c) {
    c.ws.next_layer().async_wait(tcp::socket::wait_read, [this, &c](beast::error_code ec) { on_readable(c, ec); });
  }

  void on_closed(connection& c, std::string const& why) {
    if (c.st == connection::state::connecting) return connect_done(c, false, "before ready: " + why);
    if (c.st != connection::state::closed) {
      c.st = connection::state::closed;
      closed.add();
      note_error("connection " + std::to_string(c.index) + " closed: " + why);
    }
    beast::error_code ignored;
    c.ws.next_layer().close(ignored);
  }

  void on_readable(connection& c, beast::error_code ec) {
    if (ec) return on_closed(c, ec.message());
    auto& sock = c.ws.next_layer();
    if (!sock.non_blocking()) sock.non_blocking(true, ec);
    // A few reads per wake-up, then back to the reactor so one busy socket cannot starve the rest.
    for (int round = 0; round < 4; ++round) {
      std::size_t have = c.carry.size();
      if (rbuf.size() < have + 65536) rbuf.resize(have + (256 << 10));
      std::memcpy(rbuf.data(), c.carry.data(), have);
      std::size_t room = rbuf.size() - have;
      std::size_t n = sock.read_some(asio::buffer(rbuf.data() + have, room), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) return on_closed(c, ec == asio::error::eof ? "the server closed the TCP connection" : ec.message());
      have += n;
      std::size_t used = parse(c, rbuf.data(), have);
      if (used == std::string::npos) return;  // closed while parsing
      c.carry.assign(rbuf.data() + used, have - used);
      if (n < room) break;  // drained
    }
    do_read(c);
  }

  // Cuts every complete frame out of p[0, have); returns the bytes used, or npos once closed.
  std::size_t parse(connection& c, char* p, std::size_t have) {
    std::size_t pos = 0;
    while (have - pos >= 2) {
      auto b0 = static_cast<std::uint8_t>(p[pos]), b1 = static_cast<std::uint8_t>(p[pos + 1]);
      bool fin = b0 & 0x80, masked = b1 & 0x80;
      int op = b0 & 0x0F;
      std::uint64_t len = b1 & 0x7F;
      std::size_t h = 2;
      if (len == 126) {
        if (have - pos < 4) break;
        len = (std::uint64_t{static_cast<std::uint8_t>(p[pos + 2])} << 8) | static_cast<std::uint8_t>(p[pos + 3]);
        h = 4;
      } else if (len == 127) {
        if (have - pos < 10) break;
        len = 0;
        for (int k = 0; k < 8; ++k) len = (len << 8) | static_cast<std::uint8_t>(p[pos + 2 + static_cast<std::size_t>(k)]);
        h = 10;
      }
      if (masked) h += 4;
      if (len > (std::uint64_t{64} << 20)) {
        on_closed(c, "a frame of " + std::to_string(len) + " bytes");
        return std::string::npos;
      }
      if (have - pos < h + len) break;
      char* payload = p + pos + h;
      if (masked)
        for (std::size_t k = 0; k < len; ++k) payload[k] ^= p[pos + h - 4 + (k & 3)];
      std::string_view data(payload, static_cast<std::size_t>(len));
      pos += h + static_cast<std::size_t>(len);
      switch (op) {
        case 1:
        case 2:
          if (fin) {
            handle(c, data);
          } else {
            c.fragments.assign(data);
          }
          break;
        case 0:
          c.fragments.append(data);
          if (fin) {
            std::string whole = std::move(c.fragments);
            c.fragments.clear();
            handle(c, whole);
          }
          break;
        case 8: {
          int code = data.size() >= 2 ? (static_cast<std::uint8_t>(data[0]) << 8) | static_cast<std::uint8_t>(data[1]) : 1005;
          on_closed(c, "close frame, code " + std::to_string(code) + " " + std::string(data.size() > 2 ? data.substr(2) : ""));
          return std::string::npos;
        }
        case 9:
          // Answer pings (one pong at a time is enough to stay alive); Beast masks it.
          if (!c.pong_in_flight && data.size() <= 125) {
            c.pong_in_flight = true;
            c.ws.async_pong(websocket::ping_data(data.data(), data.size()),
                            [&c](beast::error_code) { c.pong_in_flight = false; });
          }
          break;
        default:
          break;
      }
      if (c.st == connection::state::closed) return std::string::npos;
    }
    return pos;
  }

  void handle(connection& c, std::string_view f) {
    frames.add();
    auto t = f.find(R"("type":")");
    if (t == std::string_view::npos) {
      // Not in the compact form peerchat writes: parse it once and scan the compact form.
      auto j = nlohmann::json::parse(f, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("type") || f.size() > (1u << 20))
        return note_error("frame without type: " + std::string(f.substr(0, 200)));
      std::string compact = j.dump();
      if (compact.find(R"("type":")") == std::string::npos) return note_error("frame without type: " + compact.substr(0, 200));
      return handle(c, compact);
    }
    auto type = f.substr(t + 8, 6);
    if (type.starts_with("event\"")) return on_event(c, f);
    if (type.starts_with("ack\"")) return on_ack(c, f);
    if (type.starts_with("error\"")) {
      errors.add();
      if (c.inflight > 0) --c.inflight;  // a refused send will have no echo
      return note_error("connection " + std::to_string(c.index) + ": " + std::string(f.substr(0, 300)));
    }
    if (type.starts_with("ready\"")) return on_ready(c, f);
  }

  void on_ready(connection& c, std::string_view f) {
    auto j = nlohmann::json::parse(f, nullptr, false);
    std::int64_t last = 0;
    if (!j.is_discarded() && j.contains("groups"))
      for (auto const& g : j["groups"])
        if (g.value("id", std::int64_t{0}) == c.spec.group_id) last = g.value("last_seq", std::int64_t{0});
    c.target_seq = last;
    c.base_seq = c.spec.resume ? *c.spec.resume : last;
    c.last_seq = c.base_seq;
    c.st = connection::state::ready;
    c.was_ready = true;
    connect_done(c, true, {});
    if (c.spec.resume && c.target_seq <= c.base_seq) {
      c.catchup_ns = std::max<std::uint64_t>(1, now_ns() - c.hello_sent);
      catchup_done.add();
    }
  }

  void on_event(connection& c, std::string_view f) {
    std::int64_t group = 0, seq = 0;
    if (!int_after(f, R"("group_id":)", group) || !int_after(f, R"("seq":)", seq))
      return note_error("event without group_id or seq: " + std::string(f.substr(0, 200)));
    if (group != c.spec.group_id) return;
    c.events.add();
    if (c.spec.resume) {
      if (seq != c.last_seq + 1) ++out_of_order;
      if (seq >= c.target_seq && c.catchup_ns == 0) {
        c.catchup_ns = std::max<std::uint64_t>(1, now_ns() - c.hello_sent);
        catchup_done.add();
      }
    }
    c.last_seq = seq;
    if (seq > c.base_seq) {
      auto i = static_cast<std::size_t>(seq - c.base_seq - 1);
      if (i < (std::size_t{1} << 26)) {
        if (i >= c.seen.size()) c.seen.resize(std::max(i + 1, c.seen.size() * 2), 0);
        if (c.seen[i] < 255) ++c.seen[i];
      }
    }
    auto kind = f.find(R"("kind":"message")");
    if (kind == std::string_view::npos || c.spec.resume) return;  // a replay is measured by its catch-up time
    deliveries.add();
    if (l.window_open_.load(std::memory_order_relaxed)) window_deliveries.add();
    std::int64_t sent_at = 0, sender = -1;
    auto body = f.find(R"("body":"t=)", kind);
    if (body == std::string_view::npos || !int_after(f, "t=", sent_at, body) || !int_after(f, " s=", sender, body)) return;
    auto now = now_ns();
    if (now > static_cast<std::uint64_t>(sent_at)) latency.record(now - static_cast<std::uint64_t>(sent_at));
    if (sender == c.index && c.spec.sender) on_echo(c);
  }

  void on_ack(connection& c, std::string_view f) {
    std::int64_t group = 0, seq = 0;
    if (!int_after(f, R"("group_id":)", group) || !int_after(f, R"("seq":)", seq))
      return note_error("ack without group_id or seq: " + std::string(f.substr(0, 200)));
    acked.add();
    acks.emplace_back(c.spec.group_index, seq);
    expected.add(l.online_members_[static_cast<std::size_t>(c.spec.group_index)]);
  }

  void on_echo(connection& c) {
    if (c.inflight > 0) --c.inflight;
    if (plan.mode == send_mode::closed_loop && l.sending_.load(std::memory_order_relaxed)) send_message(c);
  }

  // --- sending plans ----------------------------------------------------------------------
  void start(send_plan p, double share) {
    plan = p;
    senders.clear();
    for (auto& c : conns)
      if (c->spec.sender && c->st == connection::state::ready) senders.push_back(c.get());
    if (senders.empty()) return;
    if (plan.mode == send_mode::closed_loop) {
      for (int k = 0; k < plan.inflight; ++k)
        for (auto* c : senders) send_message(*c);
      return;
    }
    rate = plan.rate * share;
    open_started = now_ns();
    open_sent = 0;
    on_tick();
  }

  // Open loop: send what the schedule says is due, round robin over the senders, then sleep
  // until the next message is due (at least 200 µs, so high rates go out in small bursts and
  // low rates cost no idle wake-ups).
  void on_tick() {
    if (!l.sending_.load(std::memory_order_relaxed)) return;
    double elapsed = static_cast<double>(now_ns() - open_started) / 1e9;
    auto due = static_cast<std::uint64_t>(elapsed * rate);
    for (int k = 0; open_sent < due && k < 100000; ++k, ++open_sent) {
      send_message(*senders[next_sender]);
      next_sender = (next_sender + 1) % senders.size();
    }
    double next_at = rate > 0 ? static_cast<double>(open_sent + 1) / rate : elapsed + 0.01;
    double wait = std::clamp(next_at - elapsed, 200e-6, 0.05);
    tick.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(wait * 1e9)));
    tick.async_wait([this](beast::error_code ec) {
      if (!ec) on_tick();
    });
  }
};

load::load(load_options o, std::vector<connection_spec> specs) : o_(std::move(o)), specs_(std::move(specs)) {
  int threads = std::max(1, o_.threads);
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<worker>(*this);
    w->endpoint = tcp::endpoint(asio::ip::make_address(o_.host), o_.port);
    w->connect_limit = std::max(1, o_.connect_parallel / threads);
    w->padding.assign(static_cast<std::size_t>(std::max(0, o_.body_bytes)), 'x');
    workers_.push_back(std::move(w));
  }
  conns_.resize(specs_.size());
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    auto& w = *workers_[i % workers_.size()];
    w.conns.push_back(std::make_unique<connection>(w, static_cast<int>(i), specs_[i], w.io));
    conns_[i] = w.conns.back().get();
  }
  int groups = 0;
  for (auto const& s : specs_) groups = std::max(groups, s.group_index + 1);
  online_members_.assign(static_cast<std::size_t>(groups), 0);
  for (auto& w : workers_) w->thread = std::thread([p = w.get()] { p->io.run(); });
}

load::~load() {
  if (!finished_) finish();
}

void load::connect(std::vector<int> const& which) {
  std::vector<std::vector<connection*>> per(workers_.size());
  for (int i : which) {
    auto* c = conns_[static_cast<std::size_t>(i)];
    per[static_cast<std::size_t>(i) % workers_.size()].push_back(c);
  }
  for (std::size_t k = 0; k < workers_.size(); ++k)
    asio::post(workers_[k]->io, [w = workers_[k].get(), list = std::move(per[k])] {
      for (auto* c : list) w->to_connect.push_back(c);
      w->pump_connects();
    });
}

void load::start(send_plan plan) {
  // online_members_ is written here, before the posts that make workers read it.
  std::fill(online_members_.begin(), online_members_.end(), 0);
  for (auto* c : conns_)
    if (c->was_ready) ++online_members_[static_cast<std::size_t>(c->spec.group_index)];
  bounded_ = plan.max_messages > 0;
  budget_ = plan.max_messages;
  std::size_t total_senders = 0;
  std::vector<std::size_t> per(workers_.size(), 0);
  for (std::size_t k = 0; k < workers_.size(); ++k)
    for (auto& c : workers_[k]->conns)
      if (c->spec.sender) ++per[k], ++total_senders;
  window_open_ = true;
  sending_ = true;
  for (std::size_t k = 0; k < workers_.size(); ++k) {
    double share = total_senders ? static_cast<double>(per[k]) / static_cast<double>(total_senders) : 0;
    asio::post(workers_[k]->io, [w = workers_[k].get(), plan, share] { w->start(plan, share); });
  }
}

void load::stop_sending() {
  sending_ = false;
  window_open_ = false;
}

live_counts load::counts() const {
  live_counts t;
  for (auto const& w : workers_) {
    t.sent += w->sent.get();
    t.acked += w->acked.get();
    t.errors += w->errors.get();
    t.deliveries += w->deliveries.get();
    t.window_deliveries += w->window_deliveries.get();
    t.expected_deliveries += w->expected.get();
    t.ready += w->ready.get();
    t.failed += w->failed.get();
    t.closed += w->closed.get();
    t.catchup_done += w->catchup_done.get();
    t.frames += w->frames.get();
  }
  return t;
}

std::uint64_t load::catchup_ns(int connection) const {
  return conns_[static_cast<std::size_t>(connection)]->catchup_ns.load();
}

std::uint64_t load::events_received(int connection) const { return conns_[static_cast<std::size_t>(connection)]->events.get(); }

load_result load::finish() {
  finished_ = true;
  sending_ = false;
  for (auto& w : workers_) {
    asio::post(w->io, [p = w.get()] {
      p->tick.cancel();
      for (auto& c : p->conns) {
        beast::error_code ec;
        if (c->st == connection::state::ready) c->st = connection::state::closed;  // ours, not the server's
        c->ws.next_layer().close(ec);
      }
      p->guard.reset();
    });
  }
  for (auto& w : workers_) {
    // Closing the sockets completes every pending operation; bound the wait anyway.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!w->io.stopped() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    w->io.stop();
    if (w->thread.joinable()) w->thread.join();
  }

  load_result r;
  r.totals = counts();
  // Acked seqs per group, and duplicate acks.
  std::vector<std::vector<std::int64_t>> acked(online_members_.size());
  for (auto& w : workers_) {
    r.latency_ns.merge(w->latency);
    r.connect_ns.merge(w->connect_time);
    r.out_of_order += w->out_of_order;
    for (auto& e : w->error_samples)
      if (r.error_samples.size() < max_error_samples) r.error_samples.push_back(e);
    for (auto [g, seq] : w->acks) acked[static_cast<std::size_t>(g)].push_back(seq);
  }
  for (auto& a : acked) {
    std::sort(a.begin(), a.end());
    auto before = a.size();
    a.erase(std::unique(a.begin(), a.end()), a.end());
    r.duplicate_acks += before - a.size();
  }
  for (auto* c : conns_) {
    if (!c->was_ready) continue;
    auto const& a = acked[static_cast<std::size_t>(c->spec.group_index)];
    for (std::int64_t seq : a) {
      if (seq <= c->base_seq) continue;
      auto i = static_cast<std::size_t>(seq - c->base_seq - 1);
      std::uint8_t n = i < c->seen.size() ? c->seen[i] : 0;
      if (n == 0) ++r.missing;
    }
    for (std::size_t i = 0; i < c->seen.size(); ++i)
      if (c->seen[i] > 1) r.duplicates += c->seen[i] - 1u;
  }
  return r;
}

}  // namespace peerchat::bench
