// SPDX-License-Identifier: MIT
// Which part of the server answers a request: /healthz and /api/v1 on the worker pool,
// /metrics and the web client's files right here (they touch no store).
#include "request_handler.hpp"
#include "metrics.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/protocol/wire.hpp"
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
std::string header(http_request const& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}

// Every line of a header that may repeat, joined with ", " (as RFC 9110 allows).
std::string joined_header(http_request const& req, std::string_view name) {
  std::string out;
  auto [first, last] = req.equal_range(name);
  for (auto it = first; it != last; ++it) {
    if (!out.empty()) out += ", ";
    out += std::string_view(it->value());
  }
  return out;
}

// Equal strings in a time that does not depend on where they differ.
bool same_secret(std::string_view a, std::string_view b) {
  return crypto::sha256_hex(a) == crypto::sha256_hex(b);
}

// A year, without includeSubDomains: the self-hoster's other subdomains are not ours to pin.
constexpr char hsts[] = "max-age=31536000";
}  // namespace

http_response json_response(unsigned version, int status, std::string body) {
  http_response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "peerchat");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  if (!body.empty()) res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http_response error_response(unsigned version, error const& e) {
  auto res = json_response(version, http_status(e.code), protocol::error_body(e));
  if (e.code == errc::rate_limited && e.retry_after_ms > 0)
    res.set(http::field::retry_after, std::to_string((e.retry_after_ms + 999) / 1000));
  if (e.code == errc::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  return res;
}

http_response error_response(unsigned version, errc code, std::string message) {
  return error_response(version, make_error(code, std::move(message)));
}

http_response busy_response(unsigned version, bool keep_alive) {
  auto res = json_response(version, 503, protocol::error_body(worker_pool::busy()));
  res.set(http::field::retry_after, "1");
  res.keep_alive(keep_alive);
  return res;
}

namespace {
// Work that threw on a worker still gets an answer: 500 `internal`.
worker_pool::failure_fn answer_failure(unsigned version, bool keep_alive, respond_fn const& respond) {
  return [version, keep_alive, respond](error const& e) {
    auto res = error_response(version, e);
    res.keep_alive(keep_alive);
    respond(std::move(res));
  };
}
}  // namespace

request_handler::request_handler(app& a, worker_pool& workers, static_files const& files, router& api,
                                 trusted_proxies const& proxies)
    : app_(a),
      workers_(workers),
      files_(files),
      api_(api),
      proxies_(proxies),
      http_budget_(a.clock, a.cfg.limits.http_per_second, a.cfg.limits.http_burst) {}

asio::ip::address request_handler::client_address(http_request const& req, request_source const& from) const {
  if (proxies_.empty()) return unmapped(from.peer);
  return proxies_.client_address(from.peer, joined_header(req, "Forwarded"), joined_header(req, "X-Forwarded-For"));
}

std::optional<http_response> request_handler::over_budget(http_request const& req, request_source const& from) {
  if (from.metrics_listener) return std::nullopt;  // the operator's own network
  auto wait_ms = http_budget_.acquire(client_address(req, from).to_string());
  if (wait_ms == 0) return std::nullopt;
  auto e = make_error(errc::rate_limited, "too many requests from this address; retry later");
  e.retry_after_ms = wait_ms;
  auto res = error_response(req.version(), e);
  res.keep_alive(req.keep_alive());
  return res;
}

void request_handler::handle(http_request req, request_source const& from, respond_fn plain_respond) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  unsigned version = req.version();
  bool keep_alive = req.keep_alive();
  // Served over TLS: browsers are told to come back over TLS only.
  respond_fn respond = !from.tls ? std::move(plain_respond) : [inner = std::move(plain_respond)](http_response res) {
    res.set(http::field::strict_transport_security, hsts);
    inner(std::move(res));
  };

  // The web client's files come from memory and touch no store, so they spend no budget: a
  // first visit fetches about 60 of them (the page's modules, then the service worker's copy),
  // and a household behind one address would otherwise run out on a normal first visit.
  bool server_path = path == "/healthz" || path == "/metrics" || path == "/api" || path.starts_with("/api/");
  if (server_path)
    if (auto refused = over_budget(req, from)) return respond(std::move(*refused));

  if (from.metrics_listener && path != "/metrics" && path != "/healthz")
    return respond(error_response(version, errc::not_found, "this listener serves /metrics and /healthz only"));

  if (path == "/healthz") {
    auto failed = answer_failure(version, keep_alive, respond);
    bool posted = workers_.try_post("healthz", [this, version, keep_alive, respond] {
      bool ok = app_.backend.store_answers();
      auto res = ok ? json_response(version, 200, R"({"status":"ok"})")
                    : error_response(version, errc::internal, "the store does not answer");
      res.keep_alive(keep_alive);
      respond(std::move(res));
    }, std::move(failed));
    if (!posted) respond(busy_response(version, keep_alive));
    return;
  }

  if (path == "/metrics") return metrics(req, from, respond);

  if (path == "/api" || path.starts_with("/api/")) {
    api_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(target);
    r.body = std::move(req.body());
    r.authorization = header(req, http::field::authorization);
    r.cookie = header(req, http::field::cookie);
    r.origin = header(req, http::field::origin);
    r.user_agent = header(req, http::field::user_agent);
    r.if_none_match = header(req, http::field::if_none_match);
    auto client = client_address(req, from);
    r.client_address = client.is_unspecified() ? "" : client.to_string();
    r.tls = from.tls;
    if (!path.starts_with("/api/v1/")) {
      return respond(error_response(version, errc::not_found, "no such API route"));
    }
    auto failed = answer_failure(version, keep_alive, respond);
    bool posted = workers_.try_post("API request", [this, r = std::move(r), version, keep_alive, respond] {
      api_reply reply = api_.handle(r);
      auto res = json_response(version, reply.status, std::move(reply.body));
      for (auto& [name, value] : reply.headers) {
        // A route that answers other than JSON (an avatar) replaces these two.
        if (beast::iequals(name, "Content-Type") || beast::iequals(name, "Cache-Control"))
          res.set(name, value);
        else
          res.insert(name, value);
      }
      res.keep_alive(keep_alive);
      respond(std::move(res));
    }, std::move(failed));
    if (!posted) respond(busy_response(version, keep_alive));
    return;
  }

  static_file(req, respond);
}

// /metrics tells anyone who can read it how busy the server is and when people talk. Behind
// a reverse proxy every request comes from loopback, so "loopback only" would protect
// nothing: it needs the configured bearer token, or the separate --metrics-listen address.
void request_handler::metrics(http_request const& req, request_source const& from, respond_fn const& respond) {
  if (!from.metrics_listener) {
    std::string const& token = app_.cfg.metrics_token;
    if (token.empty()) return respond(error_response(req.version(), errc::not_found, "not found"));
    if (!same_secret(header(req, http::field::authorization), "Bearer " + token)) {
      auto res = error_response(req.version(), errc::unauthorized, "/metrics needs the metrics bearer token");
      res.keep_alive(req.keep_alive());
      return respond(std::move(res));
    }
  }
  http_response res{http::status::ok, req.version()};
  res.set(http::field::server, "peerchat");
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = render_metrics(app_);
  res.prepare_payload();
  res.keep_alive(req.keep_alive());
  respond(std::move(res));
}

// The web client, from memory: no store access, so it is answered on the I/O thread.
void request_handler::static_file(http_request const& req, respond_fn const& respond) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  unsigned version = req.version();
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return respond(error_response(version, errc::not_found, "not found"));
  auto const* file = files_.find(path);
  if (!file) return respond(error_response(version, errc::not_found, "not found"));
  http_response res{http::status::ok, version};
  res.set(http::field::server, "peerchat");
  res.set(http::field::content_type, file->content_type);
  res.set(http::field::etag, file->etag);
  res.set(http::field::cache_control, "no-cache");  // revalidate with the ETag: updates show at once
  res.set("Content-Security-Policy", content_security_policy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  if (header(req, http::field::if_none_match) == file->etag) {
    res.result(http::status::not_modified);
  } else if (req.method() == http::verb::get) {
    res.body().assign(file->content.data(), file->content.size());
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.content_length(file->content.size());
  res.keep_alive(req.keep_alive());
  respond(std::move(res));
}

}  // namespace peerchat::gateway
