// SPDX-License-Identifier: MIT
// Start-up and shutdown of the whole server.
#include "peerchat/gateway/server.hpp"
#include "app.hpp"
#include "http_session.hpp"
#include "peerchat/store/meta.hpp"
#include "peerchat/store/migrations.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <fstream>
#include <spdlog/spdlog.h>
#include <thread>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
// Mozilla's "intermediate" configuration: TLS 1.2 and 1.3, forward-secret AEAD ciphers.
constexpr char tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::unique_ptr<asio::ssl::context> make_tls_context(config const& cfg) {
  if (cfg.tls_cert.empty()) return nullptr;
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                   asio::ssl::context::single_dh_use);
  SSL_CTX_set_cipher_list(ctx->native_handle(), tls12_ciphers);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cfg.tls_cert, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + cfg.tls_cert + ": " + ec.message());
  ctx->use_private_key_file(cfg.tls_key, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + cfg.tls_key + ": " + ec.message());
  return ctx;
}

// Creates the data dir, checks it is writable, migrates the database; returns its path.
std::filesystem::path prepare_store(std::filesystem::path const& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + data_dir.string() + ": " + ec.message());
  auto probe = data_dir / ".write-test";
  {
    std::ofstream out(probe);
    if (!out || !(out << "ok") || !out.flush())
      throw std::runtime_error("data dir " + data_dir.string() + " is not writable");
  }
  std::filesystem::remove(probe, ec);
  auto file = data_dir / "peerchat.db";
  store::database db(file, store::database::mode::read_write);
  store::migrate(db);
  return file;
}
}  // namespace

app::app(config c)
    : cfg(std::move(c)),
      public_url(cfg.effective_public_url()),
      public_origin(cfg.public_origin()),
      writer(prepare_store(cfg.data_dir)),
      reader(cfg.data_dir / "peerchat.db"),
      ctx{writer, reader, clock, cfg, {}},
      accounts(ctx),
      groups(ctx),
      invites(ctx),
      messages(ctx),
      setup(ctx),
      epoch(reader.with([](store::database& db) { return store::read_epoch(db); })) {}

class server::impl {
 public:
  explicit impl(config cfg)
      : app_(std::move(cfg)),
        ioc_(app_.cfg.io_threads),
        workers_(static_cast<std::size_t>(app_.cfg.worker_threads)),
        acceptor_(asio::make_strand(ioc_)),
        tls_(make_tls_context(app_.cfg)),
        api_(app_),
        signals_(ioc_) {
    app_.ctx.hooks.is_online = [this](user_id u) { return app_.hub.is_online(u); };
    app_.ctx.hooks.session_ended = [this](session_id s) { app_.hub.close_session(s); };
    app_.writer.set_publisher([this](store::event_list const& events) { app_.hub.publish(events); });
    app_.hub.load(app_.reader.with([](store::database& db) {
      std::vector<std::pair<group_id, user_id>> out;
      auto& st = db.prepare("SELECT group_id, user_id FROM memberships");
      while (st.step()) out.emplace_back(group_id{st.int64(0)}, user_id{st.int64(1)});
      return out;
    }));
  }

  std::uint16_t start() {
    beast::error_code ec;
    auto address = asio::ip::make_address(app_.cfg.listen_host, ec);
    if (ec) throw std::runtime_error("invalid listen address '" + app_.cfg.listen_host + "'");
    tcp::endpoint endpoint{address, app_.cfg.listen_port};
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + app_.cfg.listen_host + ":" + std::to_string(app_.cfg.listen_port) +
                               ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    // With port 0 the public URL (invite links, the Origin check) needs the real port.
    config bound = app_.cfg;
    bound.listen_port = port_;
    app_.public_url = bound.effective_public_url();
    app_.public_origin = bound.public_origin();
    if (auto code = app_.setup.begin())
      spdlog::warn("first run: create the admin account at {}/setup/{} (valid for one hour, once)", app_.public_url,
                   *code);
    do_accept();
    for (int i = 0; i < std::max(1, app_.cfg.io_threads); ++i) threads_.emplace_back([this] { ioc_.run(); });
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
    });
    // 2. Close every WebSocket with 1001 and give the close handshakes a moment.
    app_.hub.close_all(1001, "server shutting down");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (app_.hub.connection_count() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // 3. Let in-flight requests finish, then commit whatever the writer still holds.
    workers_.join();
    app_.writer.stop();
    // 4. Stop the I/O threads.
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    app_.hub.clear();
  }

  app& application() { return app_; }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        http_shared shared{app_, workers_, files_, api_};
        if (tls_)
          std::make_shared<http_session<beast::ssl_stream<beast::tcp_stream>>>(
              shared, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_))
              ->run();
        else
          std::make_shared<http_session<beast::tcp_stream>>(shared, beast::tcp_stream(std::move(socket)))->run();
      }
      do_accept();
    });
  }

  app app_;
  asio::io_context ioc_;
  asio::thread_pool workers_;
  tcp::acceptor acceptor_;
  std::unique_ptr<asio::ssl::context> tls_;  // set when serving HTTPS directly
  static_files files_;
  http_api api_;
  asio::signal_set signals_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
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

}  // namespace peerchat::gateway
