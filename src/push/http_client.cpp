// SPDX-License-Identifier: MIT
// The push HTTP(S) client: one io_context thread, one connection per request, one deadline
// per request covering resolve, connect, TLS, write and read.
#include "peerchat/push/http_client.hpp"
#include "peerchat/core/background_priority.hpp"
#include "peerchat/core/thread_name.hpp"
#include "peerchat/push/endpoint.hpp"
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>
#include <mutex>
#include <set>
#include <spdlog/spdlog.h>
#include <thread>

namespace peerchat::push {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// One request from resolve to answer. Lives in shared_ptrs held by its pending handlers;
// everything runs on the client's single thread, so no strand is needed.
class exchange : public std::enable_shared_from_this<exchange> {
 public:
  exchange(asio::io_context& io, asio::ssl::context& tls, client_options const& opt, endpoint_url url,
           http_request req, std::function<void(http_response)> done)
      : io_(io), tls_ctx_(tls), opt_(opt), url_(std::move(url)), req_(std::move(req)), done_(std::move(done)),
        resolver_(io), deadline_(io) {}

  void start() {
    deadline_.expires_after(opt_.timeout);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->cancel("timed out");
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type r) {
                              self->on_resolve(ec, std::move(r));
                            });
  }

  void cancel(std::string why) {
    if (finished_) return;
    cancel_reason_ = std::move(why);
    resolver_.cancel();
    error_code ignored;
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
    if (tcp_) tcp_->socket().close(ignored);
  }

 private:
  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("could not resolve " + url_.host + ": " + ec.message());
    // Connect only to addresses that passed the guard: the checked address is the one used,
    // so a DNS answer cannot change between the check and the connect.
    std::vector<tcp::endpoint> allowed;
    for (auto const& r : results)
      if (address_allowed(r.endpoint().address(), opt_.allow_loopback)) allowed.push_back(r.endpoint());
    if (allowed.empty()) return fail("refused: " + url_.host + " is not a public address", true);
    if (url_.tls) {
      tls_.emplace(io_, tls_ctx_);
      // SNI, and the name (or IP) the certificate must carry.
      error_code bad_ip;
      asio::ip::make_address(url_.host, bad_ip);
      if (bad_ip && !SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.c_str()))
        return fail("could not set the TLS server name");
      tls_->set_verify_mode(asio::ssl::verify_peer);
      tls_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
      asio::async_connect(beast::get_lowest_layer(*tls_).socket(), allowed,
                          [self = shared_from_this()](error_code ec, tcp::endpoint) { self->on_connect(ec); });
    } else {
      tcp_.emplace(io_);
      asio::async_connect(tcp_->socket(), allowed,
                          [self = shared_from_this()](error_code ec, tcp::endpoint) { self->on_connect(ec); });
    }
  }

  void on_connect(error_code ec) {
    if (ec) return fail("could not connect to " + url_.host + ": " + ec.message());
    if (!tls_) return write();
    tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](error_code ec) {
      if (ec) return self->fail("TLS handshake with " + self->url_.host + " failed: " + ec.message());
      self->write();
    });
  }

  void write() {
    request_.method(http::verb::post);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.origin.substr(url_.origin.find("//") + 2));
    request_.set(http::field::connection, "close");
    for (auto const& [name, value] : req_.headers) request_.set(name, value);
    request_.body() = std::move(req_.body);
    request_.prepare_payload();
    auto on_write = [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->fail("could not send to " + self->url_.host + ": " + ec.message());
      self->read();
    };
    if (tls_) http::async_write(*tls_, request_, on_write);
    else http::async_write(*tcp_, request_, on_write);
  }

  void read() {
    parser_.body_limit(opt_.max_body);
    auto on_read = [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); };
    if (tls_) http::async_read(*tls_, buffer_, parser_, on_read);
    else http::async_read(*tcp_, buffer_, parser_, on_read);
  }

  void on_read(error_code ec) {
    // An answer whose body is over the cap still counts: only its status matters.
    if (ec && !(ec == http::error::body_limit && parser_.is_header_done()))
      return fail("no answer from " + url_.host + ": " + ec.message());
    auto& res = parser_.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    out.retry_after = std::string(res[http::field::retry_after]);
    out.body = res.body().substr(0, opt_.max_body);
    finish(std::move(out));
  }

  void fail(std::string why, bool refused = false) {
    http_response out;
    out.error = cancel_reason_.empty() ? std::move(why) : cancel_reason_ + " (" + url_.host + ")";
    out.refused = refused;
    finish(std::move(out));
  }

  void finish(http_response r) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    error_code ignored;
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ignored);
    if (tcp_) tcp_->socket().close(ignored);
    try {
      done_(std::move(r));
    } catch (std::exception const& e) {
      spdlog::error("push: a completion threw: {}", e.what());
    }
  }

  asio::io_context& io_;
  asio::ssl::context& tls_ctx_;
  client_options const& opt_;
  endpoint_url url_;
  http_request req_;
  std::function<void(http_response)> done_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  std::optional<beast::tcp_stream> tcp_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  std::string cancel_reason_;
  bool finished_ = false;
};

}  // namespace

struct http_client::impl {
  explicit impl(client_options o) : opt(std::move(o)) {
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls.set_default_verify_paths();
    if (!opt.extra_ca_file.empty()) tls.load_verify_file(opt.extra_ca_file);
    tls.set_verify_mode(asio::ssl::verify_peer);
    thread = std::thread([this] {
      name_this_thread("pc-push-http");
      lower_this_thread_priority();
      for (;;) {
        try {
          io.run();
          return;
        } catch (std::exception const& e) {
          spdlog::error("push client: {}", e.what());
        }
      }
    });
  }

  client_options opt;
  asio::io_context io{1};
  asio::ssl::context tls{asio::ssl::context::tls_client};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::mutex mutex;
  bool stopped = false;                               // guarded by mutex
  std::set<std::weak_ptr<exchange>, std::owner_less<>> live;  // client thread only
  std::thread thread;
};

http_client::http_client(client_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

http_client::~http_client() { stop(); }

void http_client::post(http_request request, std::function<void(http_response)> done) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) {
      done(http_response{0, "the push client is stopped", false, {}, {}});
      return;
    }
  }
  asio::post(impl_->io, [this, request = std::move(request), done = std::move(done)]() mutable {
    auto url = parse_endpoint(request.url, impl_->opt.allow_loopback);
    if (!url) return done(http_response{0, "refused: not an allowed push endpoint URL", true, {}, {}});
    auto x = std::make_shared<exchange>(impl_->io, impl_->tls, impl_->opt, std::move(*url), std::move(request),
                                        std::move(done));
    for (auto it = impl_->live.begin(); it != impl_->live.end();) it = it->expired() ? impl_->live.erase(it) : std::next(it);
    impl_->live.insert(x);
    x->start();
  });
}

void http_client::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  // Cancel what is in flight on the client's thread; their completions run, then run() ends.
  asio::post(impl_->io, [this] {
    for (auto const& w : impl_->live)
      if (auto x = w.lock()) x->cancel("the push client stopped");
    impl_->work.reset();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace peerchat::push
