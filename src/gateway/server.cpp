// SPDX-License-Identifier: MIT
// Start-up and shutdown of the whole server; the listeners and their accept loops.
#include "peerchat/gateway/server.hpp"
#include "app.hpp"
#include "http_session.hpp"
#include "request_handler.hpp"
#include "router.hpp"
#include "tls_context.hpp"
#include "trusted_proxies.hpp"
#include "worker_pool.hpp"
#include "peerchat/core/thread_name.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <condition_variable>
#include <spdlog/spdlog.h>
#include <thread>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
// Out of file descriptors, accept fails at once while the connection waits in the backlog:
// retrying at once is a busy loop. Wait this long instead (descriptors come back as
// connections close), and say so in the log at most every log_every.
constexpr auto accept_backoff = std::chrono::milliseconds(100);
constexpr auto accept_backoff_log_every = std::chrono::seconds(10);
// How long a presence change waits for others to share its frames: a connect storm of 1000
// arrivals costs each member about one frame per window instead of one per arrival, and a
// single change is still shown within a blink. A change that comes soon after the last flush
// is part of a storm: it waits the longer window, so a storm costs each member ~10 frames a
// second instead of ~40.
constexpr auto presence_window = std::chrono::milliseconds(25);
constexpr auto presence_storm_window = std::chrono::milliseconds(100);
constexpr auto presence_storm_gap = std::chrono::milliseconds(250);

bool out_of_descriptors(beast::error_code const& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

tcp::endpoint parse_endpoint(std::string const& host, std::uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + host + "'");
  return {address, port};
}

// "ADDR:PORT" or "[v6]:PORT".
tcp::endpoint parse_endpoint(std::string const& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--metrics-listen must be ADDR:PORT, got '" + host_port + "'");
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(host_port.substr(colon + 1));
  } catch (std::exception const&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error("--metrics-listen port must be 0–65535, got '" + host_port + "'");
  return parse_endpoint(host, static_cast<std::uint16_t>(port));
}

void open_listener(tcp::acceptor& acceptor, tcp::endpoint const& endpoint, std::string const& what) {
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen" + what + " on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + ec.message());
}

// Over a cap: a plain HTTP client reads why; nothing is read from it and nothing waits.
// (Over TLS or before a WebSocket handshake there is no way to say it: the socket closes,
// and the web client retries with its usual back-off.)
void refuse(tcp::socket& socket, bool plain_http) {
  beast::error_code ec;
  if (plain_http) {
    static constexpr std::string_view busy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
        "Connection: close\r\nContent-Length: 75\r\n\r\n"
        R"({"error":{"code":"unavailable","message":"too many connections; try again"}})";
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(asio::buffer(busy.data(), busy.size()), ec);
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}
}  // namespace

class server::impl {
 public:
  explicit impl(config cfg)
      : app_(std::move(cfg)),
        ioc_(app_.cfg.io_threads),
        workers_(static_cast<std::size_t>(app_.cfg.worker_threads), app_.cfg.limits.worker_tasks),
        acceptor_(asio::make_strand(ioc_)),
        metrics_acceptor_(asio::make_strand(ioc_)),
        backoff_timer_(acceptor_.get_executor()),
        tls_(make_tls_context(app_.cfg)),
        proxies_(app_.cfg.trusted_proxies),
        api_(app_),
        handler_(app_, workers_, files_, api_, proxies_),
        signals_(ioc_),
        reload_signals_(ioc_) {
    app_.ctx.hooks.is_online = [this](user_id u) { return app_.hub.is_online(u); };
    app_.ctx.hooks.session_ended = [this](session_id s) { app_.hub.close_session(s); };
    app_.backend.set_publisher([this](std::vector<event> const& events) {
      app_.hub.publish(events);
      app_.push_dispatcher->enqueue(events);  // a queue push only: a push never delays a delivery
    });
    app_.hub.load(app_.backend.all_memberships());
    // Presence changes wait presence_window on this timer's strand and go out together.
    app_.hub.set_presence_waker([this] {
      asio::post(presence_timer_.get_executor(), [this] {
        bool storm = std::chrono::steady_clock::now() - last_presence_flush_ < presence_storm_gap;
        presence_timer_.expires_after(storm ? presence_storm_window : presence_window);
        presence_timer_.async_wait([this](beast::error_code ec) {
          if (ec) return;
          last_presence_flush_ = std::chrono::steady_clock::now();
          app_.hub.flush_presence();
        });
      });
    });
  }

  std::uint16_t start() {
    open_listener(acceptor_, parse_endpoint(app_.cfg.listen_host, app_.cfg.listen_port), "");
    port_ = acceptor_.local_endpoint().port();
    if (!app_.cfg.metrics_listen.empty()) {
      open_listener(metrics_acceptor_, parse_endpoint(app_.cfg.metrics_listen), " for /metrics");
      metrics_port_ = metrics_acceptor_.local_endpoint().port();
      spdlog::info("serving /metrics and /healthz on {}:{}", metrics_acceptor_.local_endpoint().address().to_string(),
                   metrics_port_);
    }
    // With port 0 the public URL (invite links, the Origin check) needs the real port.
    config bound = app_.cfg;
    bound.listen_port = port_;
    app_.public_url = bound.effective_public_url();
    app_.public_origin = bound.public_origin();
    if (auto code = app_.setup.begin())
      spdlog::warn("first run: create the admin account at {}/setup/{} (valid for one hour, once)", app_.public_url,
                   *code);
    do_accept();
    if (metrics_acceptor_.is_open()) do_accept_metrics();
    asio::post(acceptor_.get_executor(), [this] { sweep_attachments(); });
    asio::post(acceptor_.get_executor(), [this] { run_clock_tick(); });
    for (int i = 0; i < std::max(1, app_.cfg.io_threads); ++i)
      threads_.emplace_back([this] {
        name_this_thread("pc-io");
        ioc_.run();
      });
    return port_;
  }

  void install_signal_handlers() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("signal {} received: shutting down", sig);
      request_stop();
    });
    reload_signals_.add(SIGHUP);
    wait_for_reload();
  }

  // New TLS connections get certificates read again from the files; open ones keep theirs.
  // On failure the current certificate stays.
  void reload_tls() {
    if (app_.cfg.tls_cert.empty()) {
      spdlog::info("TLS reload: not serving TLS (no --tls-cert), nothing to reload");
      return;
    }
    std::shared_ptr<asio::ssl::context> fresh;
    try {
      fresh = make_tls_context(app_.cfg);
    } catch (std::exception const& e) {
      spdlog::error("TLS reload failed, keeping the current certificate: {}", e.what());
      return;
    }
    // tls_ is read by the accept loop on the acceptor's strand: swap it there.
    asio::post(acceptor_.get_executor(), [this, fresh = std::move(fresh)]() mutable {
      // Open connections hold their own reference to the OpenSSL context; the old asio
      // context is kept too (one per renewal: a few a year) so nothing it owns goes away.
      retired_tls_.push_back(std::move(tls_));
      tls_ = std::move(fresh);
      spdlog::info("TLS certificate reloaded from {} for new connections", app_.cfg.tls_cert);
    });
  }

  // Uploads never attached go after orphan_after, and temporary files a crash left behind: a
  // sweep at start and every 10 minutes, on the worker pool (it reads the store and unlinks).
  // Every minute the same worker task counts the stored files for /metrics, which is answered
  // on an I/O thread and so must not read the store itself.
  void sweep_attachments() {
    if (!acceptor_.is_open()) return;  // stopping
    bool sweep = minutes_since_sweep_++ % 10 == 0;
    bool posted = workers_.try_post("attachment sweep", [this, sweep] {
      if (sweep)
        if (auto removed = app_.attachments.sweep()) spdlog::info("removed {} uploads never attached", removed);
      auto s = app_.attachments.statistics();
      app_.attachment_bytes = s.bytes_stored;
      app_.attachment_files = s.files_stored;
    }, [](error const& e) { spdlog::warn("attachment sweep failed: {}", e.message); });
    if (!posted) spdlog::warn("attachment sweep skipped: the worker pool is full");
    sweep_timer_.expires_after(std::chrono::minutes(1));
    sweep_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) sweep_attachments();
    });
  }

  // What the server's own clock drives (a poll closing at its time, a quiz question's
  // deadline): backend::tick() on the worker pool every 200 ms, never two at once. A tick with
  // nothing due costs an in-memory check per timed service, no store access.
  void run_clock_tick() {
    if (!acceptor_.is_open()) return;  // stopping
    if (!tick_running_.exchange(true)) {
      bool posted = workers_.try_post("clock tick", [this] {
        app_.backend.tick();
        tick_running_ = false;
      }, [this](error const& e) {
        tick_running_ = false;
        spdlog::warn("clock tick failed: {}", e.message);
      });
      if (!posted) tick_running_ = false;  // the worker pool is full: the next tick tries again
    }
    tick_timer_.expires_after(std::chrono::milliseconds(200));
    tick_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) run_clock_tick();
    });
  }

  void request_stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    cv_.notify_all();
  }

  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return stop_requested_; });
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    request_stop();
    // 1. Stop accepting.
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      backoff_timer_.cancel();
      sweep_timer_.cancel();
      tick_timer_.cancel();
    });
    asio::post(metrics_acceptor_.get_executor(), [this] {
      beast::error_code ec;
      metrics_acceptor_.close(ec);
    });
    // 2. Close every WebSocket with 1001 and give the close handshakes a moment.
    app_.hub.close_all(1001, "server shutting down");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (app_.hub.connection_count() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // 3. Let in-flight requests finish, then commit whatever the writer still holds.
    workers_.join();
    app_.push_dispatcher->stop();  // before the store: its planner asks the services
    app_.backend.stop();
    // 4. Stop the I/O threads.
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    app_.hub.clear();
  }

  app& application() { return app_; }
  std::uint16_t metrics_port() const { return metrics_port_; }

 private:
  void wait_for_reload() {
    reload_signals_.async_wait([this](beast::error_code ec, int) {
      if (ec) return;
      spdlog::info("SIGHUP received: reloading the TLS certificate");
      reload_tls();
      wait_for_reload();
    });
  }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) return on_accept_error(ec);
      if (backoffs_in_episode_ > 0) {
        spdlog::info("accepting connections again after {} postponed attempts", backoffs_in_episode_);
        backoffs_in_episode_ = 0;
      }
      start_session(std::move(socket), false);
      do_accept();
    });
  }

  void on_accept_error(beast::error_code ec) {
    if (!out_of_descriptors(ec)) {
      spdlog::debug("accept failed: {}", ec.message());
      return do_accept();
    }
    ++app_.accept_backoffs;
    auto now = std::chrono::steady_clock::now();
    if (backoffs_in_episode_++ == 0 || now - last_backoff_log_ >= accept_backoff_log_every) {
      spdlog::warn("accept failed: {}; retrying every {} ms until connections close ({} so far; raise the file "
                   "limit, e.g. ulimit -n, or lower --max-connections)",
                   ec.message(), accept_backoff.count(), backoffs_in_episode_);
      last_backoff_log_ = now;
    }
    backoff_timer_.expires_after(accept_backoff);
    backoff_timer_.async_wait([this](beast::error_code wait_ec) {
      if (wait_ec || !acceptor_.is_open()) return;
      do_accept();
    });
  }

  void do_accept_metrics() {
    metrics_acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !metrics_acceptor_.is_open()) return;
      if (!ec) start_session(std::move(socket), true);
      if (ec && out_of_descriptors(ec)) {
        auto timer = std::make_shared<asio::steady_timer>(metrics_acceptor_.get_executor(), accept_backoff);
        return timer->async_wait([this, timer](beast::error_code) {
          if (metrics_acceptor_.is_open()) do_accept_metrics();
        });
      }
      do_accept_metrics();
    });
  }

  // On the acceptor's strand (tls_ is read here).
  void start_session(tcp::socket socket, bool metrics_listener) {
    beast::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    auto peer = unmapped(endpoint.address());
    bool use_tls = tls_ && !metrics_listener;
    // A trusted reverse proxy carries every user: only the total cap applies to it.
    auto slot = app_.connections->admit(peer, !proxies_.contains(peer));
    if (!slot) return refuse(socket, !use_tls);
    socket.set_option(tcp::no_delay(true), ec);
    http_shared shared{app_, workers_, handler_, std::move(slot), metrics_listener};
    if (use_tls)
      std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
          shared, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_))
          ->run();
    else
      std::make_shared<http_session<beast::tcp_stream>>(shared, beast::tcp_stream(std::move(socket)))->run();
  }

  app app_;
  asio::io_context ioc_;
  worker_pool workers_;
  tcp::acceptor acceptor_;
  tcp::acceptor metrics_acceptor_;  // open with --metrics-listen
  asio::steady_timer backoff_timer_;  // on the acceptor's strand
  asio::steady_timer sweep_timer_{acceptor_.get_executor()};  // attachments' orphan sweep, same strand
  unsigned minutes_since_sweep_ = 0;                          // acceptor's strand only
  asio::steady_timer tick_timer_{acceptor_.get_executor()};   // run_clock_tick, same strand
  asio::steady_timer presence_timer_{asio::make_strand(ioc_)};  // the hub's presence flushes, own strand
  std::chrono::steady_clock::time_point last_presence_flush_;    // presence_timer_'s strand only
  std::atomic<bool> tick_running_{false};                     // a tick is queued or running
  int backoffs_in_episode_ = 0;       // acceptor's strand only
  std::chrono::steady_clock::time_point last_backoff_log_;
  std::shared_ptr<asio::ssl::context> tls_;  // set when serving HTTPS directly; acceptor's strand
  std::vector<std::shared_ptr<asio::ssl::context>> retired_tls_;  // acceptor's strand
  trusted_proxies proxies_;
  static_files files_;
  router api_;
  request_handler handler_;
  asio::signal_set signals_;
  asio::signal_set reload_signals_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;  // guarded by mutex_
  bool stopped_ = false;         // controlling thread only
};

server::server(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}
server::~server() {
  if (impl_) impl_->stop();
}
std::uint16_t server::start() { return impl_->start(); }
void server::stop() { impl_->stop(); }
void server::wait() { impl_->wait(); }
void server::install_signal_handlers() { impl_->install_signal_handlers(); }
void server::reload_tls() { impl_->reload_tls(); }
std::uint16_t server::metrics_port() const { return impl_->metrics_port(); }

}  // namespace peerchat::gateway
