// SPDX-License-Identifier: MIT
// The synchronous test WebSocket client: Beast's async operations run on a private
// io_context for at most the caller's deadline, so no read can hang a test.
#include "support/ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket.hpp>

namespace peerchat::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct ws_client::impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  std::deque<std::string> inbox;  // frames read but not yet handed to the test
  bool reading = false;           // one async_read is pending
  bool ended = false;
  int pongs = 0;                  // pongs received (counted while reading)

  // Runs handlers until done() or the deadline; stops early when nothing is left to run.
  template <class Done>
  void run_until(clock_type::time_point deadline, Done&& done) {
    while (!done()) {
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one_until(deadline) == 0) break;
    }
  }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}

ws_client::~ws_client() {
  if (impl_ && !impl_->ended) drop();
}

bool ws_client::connect(std::uint16_t port, ws_options const& opts) {
  auto& io = *impl_;
  auto& tcp_layer = beast::get_lowest_layer(io.ws);
  auto const deadline = clock_type::now() + opts.timeout;
  beast::error_code ec;
  if (opts.receive_buffer_bytes > 0) {
    tcp_layer.socket().open(tcp::v4(), ec);
    if (!ec) tcp_layer.socket().set_option(net::socket_base::receive_buffer_size(opts.receive_buffer_bytes), ec);
    if (ec) {
      error_ = "socket: " + ec.message();
      return false;
    }
  }
  tcp_layer.expires_at(deadline);
  bool done = false;
  tcp_layer.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  io.run_until(deadline + std::chrono::seconds(1), [&] { return done; });
  if (!done || ec) {
    error_ = "connect: " + (done ? ec.message() : std::string("timed out"));
    io.ended = true;
    return false;
  }
  io.ws.control_callback([&io](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) ++io.pongs;
  });
  io.ws.set_option(websocket::stream_base::decorator([opts](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "peerchat-tests");
    if (opts.origin) req.set(beast::http::field::origin, *opts.origin);
    if (!opts.cookie.empty()) req.set(beast::http::field::cookie, opts.cookie);
  }));
  websocket::response_type res;
  done = false;
  io.ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), opts.target, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  io.run_until(deadline + std::chrono::seconds(1), [&] { return done; });
  upgrade_status_ = static_cast<int>(res.result_int());
  upgrade_body_ = res.body();
  if (!done || ec) {
    error_ = "upgrade: " + (done ? ec.message() : std::string("timed out"));
    io.ended = true;
    beast::error_code ignored;
    tcp_layer.socket().close(ignored);
    return false;
  }
  tcp_layer.expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(5);
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  io.ws.set_option(t);
  io.ws.read_message_max(std::uint64_t{64} << 20);
  return true;
}

std::optional<json> ws_client::hello(std::string const& token, json const& resume,
                                     std::chrono::milliseconds timeout) {
  json frame{{"type", "hello"}};
  if (!token.empty()) frame["token"] = token;
  if (!resume.is_null()) frame["resume"] = resume;
  if (!send_json(frame, timeout)) return std::nullopt;
  auto first = read_until(
      [](json const& f) { return f.value("type", "") == "ready" || f.value("type", "") == "error"; }, timeout);
  if (first && first->value("type", "") == "ready") return first;
  return std::nullopt;
}

template <class Start>
bool ws_client::write_op(char const* what, std::chrono::milliseconds timeout, Start&& start) {
  auto& io = *impl_;
  if (io.ended) return false;
  bool done = false;
  beast::error_code ec;
  start(io.ws, [&](beast::error_code e, auto&&...) {
    ec = e;
    done = true;
  });
  io.run_until(clock_type::now() + timeout, [&] { return done; });
  if (!done) {
    error_ = std::string(what) + " timed out";
    drop();
    return false;
  }
  if (ec) {
    error_ = std::string(what) + ": " + ec.message();
    return false;
  }
  return true;
}

bool ws_client::send_text(std::string_view text, std::chrono::milliseconds timeout) {
  impl_->ws.text(true);
  return write_op("write", timeout, [&](auto& ws, auto handler) {
    ws.async_write(net::buffer(text.data(), text.size()), std::move(handler));
  });
}

bool ws_client::send_binary(std::string_view bytes, std::chrono::milliseconds timeout) {
  impl_->ws.binary(true);
  bool ok = write_op("write", timeout, [&](auto& ws, auto handler) {
    ws.async_write(net::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  impl_->ws.text(true);
  return ok;
}

bool ws_client::ping(std::chrono::milliseconds timeout) {
  return write_op("ping", timeout, [](auto& ws, auto handler) { ws.async_ping({}, std::move(handler)); });
}

int ws_client::pongs() const { return impl_->pongs; }

bool ws_client::send_json(json const& frame, std::chrono::milliseconds timeout) {
  return send_text(frame.dump(), timeout);
}

std::optional<std::string> ws_client::read_text(std::chrono::milliseconds timeout) {
  auto& io = *impl_;
  if (io.inbox.empty() && !io.ended) {
    if (!io.reading) {
      io.reading = true;
      io.ws.async_read(io.buffer, [this](beast::error_code ec, std::size_t) {
        auto& io = *impl_;
        io.reading = false;
        if (!ec) {
          io.inbox.push_back(beast::buffers_to_string(io.buffer.data()));
          io.buffer.clear();
          return;
        }
        io.ended = true;
        if (ec == websocket::error::closed) {
          end_.how = ws_close::outcome::closed;
          end_.code = io.ws.reason().code;
          end_.reason = std::string(io.ws.reason().reason.c_str());
        } else {
          end_.how = ws_close::outcome::dropped;
          end_.error = ec.message();
        }
      });
    }
    io.run_until(clock_type::now() + timeout, [&] { return !io.inbox.empty() || io.ended; });
  }
  if (io.inbox.empty()) return std::nullopt;
  std::string frame = std::move(io.inbox.front());
  io.inbox.pop_front();
  return frame;
}

std::optional<json> ws_client::read_json(std::chrono::milliseconds timeout) {
  auto text = read_text(timeout);
  if (!text) return std::nullopt;
  auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    error_ = "non-JSON frame: " + text->substr(0, 200);
    return std::nullopt;
  }
  last_frame_ = j;
  return j;
}

std::optional<json> ws_client::read_until(std::function<bool(json const&)> const& pred,
                                          std::chrono::milliseconds timeout) {
  auto const deadline = clock_type::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) return std::nullopt;
    auto frame = read_json(left);
    if (!frame) return std::nullopt;
    if (pred(*frame)) return frame;
  }
}

std::optional<std::vector<json>> ws_client::frames_before_pong(std::chrono::milliseconds timeout) {
  auto const deadline = clock_type::now() + timeout;
  if (!send_json({{"type", "ping"}}, timeout)) return std::nullopt;
  std::vector<json> before;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) break;
    auto frame = read_json(left);
    if (!frame) break;
    if (frame->value("type", "") == "pong") return before;
    before.push_back(std::move(*frame));
  }
  error_ = "no pong within " + std::to_string(timeout.count()) + " ms" + (is_open() ? "" : " (the connection ended)");
  return std::nullopt;
}

ws_close ws_client::read_close(std::chrono::milliseconds timeout) {
  auto const deadline = clock_type::now() + timeout;
  std::size_t skipped = 0;
  while (!impl_->ended || !impl_->inbox.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) break;
    if (read_text(left)) ++skipped;
  }
  ws_close out = impl_->ended ? end_ : ws_close{};
  out.frames_skipped = skipped;
  return out;
}

void ws_client::close(std::uint16_t code, std::chrono::milliseconds timeout) {
  auto& io = *impl_;
  if (io.ended) return;
  bool done = false;
  io.ws.async_close(websocket::close_reason(code), [&](beast::error_code) { done = true; });
  io.run_until(clock_type::now() + timeout, [&] { return done && !io.reading; });
  if (!done || io.reading) drop();
  io.ended = true;
  if (end_.how == ws_close::outcome::open) {
    end_.how = ws_close::outcome::closed;
    end_.code = code;
  }
}

void ws_client::drop() {
  auto& io = *impl_;
  beast::error_code ignored;
  beast::get_lowest_layer(io.ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(io.ws).socket().close(ignored);
  // Let the aborted handlers run so nothing refers to this client afterwards.
  io.run_until(clock_type::now() + std::chrono::seconds(1), [&] { return !io.reading; });
  io.ioc.restart();
  io.ioc.poll();
  if (!io.ended) {
    io.ended = true;
    if (end_.how == ws_close::outcome::open) {
      end_.how = ws_close::outcome::dropped;
      end_.error = "dropped by the client";
    }
  }
}

bool ws_client::is_open() const { return !impl_->ended && impl_->ws.is_open(); }

std::function<bool(json const&)> frame_type(std::string type) {
  return [type = std::move(type)](json const& f) { return f.is_object() && f.value("type", "") == type; };
}

std::function<bool(json const&)> event_kind(std::string kind, std::int64_t group_id) {
  return [kind = std::move(kind), group_id](json const& f) {
    return f.is_object() && f.value("type", "") == "event" && f.value("kind", "") == kind &&
           (group_id == 0 || f.value("group_id", std::int64_t{0}) == group_id);
  };
}

}  // namespace peerchat::test
