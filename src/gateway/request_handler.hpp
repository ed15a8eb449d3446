// SPDX-License-Identifier: MIT
// Answering one HTTP request, apart from any I/O (as Beast's advanced server's
// handle_request): the session reads a request, hands it here with a callback, and writes
// whatever comes back. Knows no socket and no stream.
#pragma once
#include "app.hpp"
#include "range_file.hpp"
#include "router.hpp"
#include "static_files.hpp"
#include "trusted_proxies.hpp"
#include "worker_pool.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/service/attachments.hpp"
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/basic_file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace peerchat::gateway {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// What the handler knows of the connection a request came on.
struct request_source {
  boost::asio::ip::address peer;  // the TCP peer (a reverse proxy, when there is one)
  bool tls = false;               // served over TLS by this process
  bool metrics_listener = false;  // came on --metrics-listen: /metrics and /healthz only
};

// Receives the response; may be called on a worker thread (the session posts it to its strand).
using respond_fn = std::function<void(http_response)>;

// A download: a stored attachment's bytes (or a range of them), read from the file as written.
using file_response = boost::beast::http::response<boost::beast::http::basic_file_body<range_file>>;
using respond_file_fn = std::function<void(file_response)>;

// An upload the service agreed to receive (attachment_requests.cpp): stream the body to slot.file.
struct upload_ticket {
  user who;
  service::upload_slot slot;
  bool avatar = false;  // PUT /me/avatar (the avatars service), not an attachment
};
// Either the answer to send at once (the body is not read) or the ticket.
using upload_start_fn = std::function<void(std::variant<http_response, upload_ticket>)>;

// A JSON response with the headers every API answer carries.
http_response json_response(unsigned version, int status, std::string body);
// The contract's error body, with Retry-After when rate limited and WWW-Authenticate on 401.
http_response error_response(unsigned version, error const& e);
http_response error_response(unsigned version, errc code, std::string message);
// The worker pool is full: 503 with the contract's error shape and Retry-After, to be retried.
http_response busy_response(unsigned version, bool keep_alive);

// Thread safety: handle() from any I/O thread; work that reads the store runs on the worker
// pool. Immutable after construction.
class request_handler {
 public:
  request_handler(app& a, worker_pool& workers, static_files const& files, router& api,
                  trusted_proxies const& proxies);

  // Calls respond exactly once (unless the process stops first).
  void handle(http_request req, request_source const& from, respond_fn respond);

  // The client's address: the peer, or the forwarded one when the peer is a trusted proxy.
  boost::asio::ip::address client_address(http_request const& req, request_source const& from) const;

  // Spends one request of the client's HTTP budget; the 429 to send when it is spent.
  // Every request counts, WebSocket upgrades included.
  std::optional<http_response> over_budget(http_request const& req, request_source const& from);

  // Attachments (attachment_requests.cpp). POST /api/v1/groups/{id}/attachments is decided
  // from its header alone, before the body is read; the session streams the body.
  // PUT /api/v1/me/avatar is received the same way (begin_avatar_upload, the avatars service).
  static bool is_upload(http_request const& head);
  void begin_upload(http_request const& head, std::optional<std::uint64_t> content_length,
                    request_source const& from, upload_start_fn done);
  // GET/HEAD /api/v1/attachments/{id}[/thumb]: from the file, never loaded whole.
  static bool is_download(http_request const& req);
  void download(http_request const& req, request_source const& from, respond_fn respond, respond_file_fn respond_file);

 private:
  void begin_avatar_upload(unsigned version, std::string token, std::optional<std::uint64_t> content_length,
                           upload_start_fn done);
  void static_file(http_request const& req, respond_fn const& respond);
  void metrics(http_request const& req, request_source const& from, respond_fn const& respond);

  app& app_;
  worker_pool& workers_;
  static_files const& files_;
  router& api_;
  trusted_proxies const& proxies_;
  rate_limiter http_budget_;  // per client address: limits.http_per_second / http_burst
};

}  // namespace peerchat::gateway
