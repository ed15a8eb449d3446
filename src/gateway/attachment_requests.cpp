// SPDX-License-Identifier: MIT
// The HTTP side of attachments that needs no socket: deciding an upload from its header
// (who, which group, how big) and answering a download from the stored file. The session
// (http_session.cpp, upload_receiver.cpp) does the reading and writing.
#include "request_handler.hpp"
#include "peerchat/protocol/wire.hpp"
#include <boost/beast/http.hpp>

namespace peerchat::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::string_view api_prefix = "/api/v1";

std::string header(http_request const& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? std::string() : std::string(it->value());
}

std::string_view path_of(http_request const& req) {
  std::string_view target = req.target();
  return target.substr(0, target.find('?'));
}

// RFC 8187 for Content-Disposition's filename*: every byte outside attr-char percent-encoded.
std::string rfc8187(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}
}  // namespace

namespace {
// PUT /me/avatar: a photo of a few MB, streamed to a file like an attachment.
bool is_avatar_upload(http_request const& head) {
  return head.method() == http::verb::put && path_of(head) == "/api/v1/me/avatar";
}
}  // namespace

bool request_handler::is_upload(http_request const& head) {
  if (is_avatar_upload(head)) return true;
  if (head.method() != http::verb::post) return false;
  std::string_view path = path_of(head);
  if (!path.starts_with(api_prefix)) return false;
  std::vector<std::string> params;
  return matches("/groups/{}/attachments", split_path(path.substr(api_prefix.size())), params);
}

void request_handler::begin_upload(http_request const& head, std::optional<std::uint64_t> content_length,
                                   request_source const& from, upload_start_fn done) {
  unsigned version = head.version();
  auto refuse = [&](http_response res) {
    res.keep_alive(false);  // the body is not read: the connection cannot carry another request
    done(std::move(res));
  };
  if (from.metrics_listener) return refuse(error_response(version, errc::not_found, "not found"));
  if (auto over = over_budget(head, from)) return refuse(std::move(*over));
  std::string origin = header(head, http::field::origin);
  if (!origin.empty() && origin != app_.public_origin)
    return refuse(error_response(version, errc::forbidden, "cross-origin requests are not allowed"));

  std::string token = token_of(header(head, http::field::authorization), header(head, http::field::cookie));
  if (is_avatar_upload(head)) return begin_avatar_upload(version, std::move(token), content_length, std::move(done));
  std::vector<std::string> params;
  matches("/groups/{}/attachments", split_path(path_of(head).substr(api_prefix.size())), params);
  std::string filename = std::string(head["X-Filename"]);
  // The body is not read after a refusal: the connection cannot carry another request.
  auto refuse_with = [version, done](error const& e) {
    auto res = error_response(version, e);
    res.keep_alive(false);
    done(std::move(res));
  };
  bool posted = workers_.try_post("upload start", [this, token = std::move(token), group = params.at(0),
                                                    filename = std::move(filename), content_length, done, refuse_with] {
    auto who = app_.accounts.authenticate(token);
    if (!who) return refuse_with(who.error());
    auto g = parse_int(group);
    if (!g || *g <= 0) return refuse_with(make_error(errc::not_found, "not found"));
    auto slot = app_.attachments.begin_upload(who->user, group_id{*g}, filename, content_length);
    if (!slot) return refuse_with(slot.error());
    done(upload_ticket{who->user, std::move(*slot)});
  }, refuse_with);
  if (!posted) refuse(busy_response(version, false));
}

void request_handler::begin_avatar_upload(unsigned version, std::string token, std::optional<std::uint64_t> content_length,
                                          upload_start_fn done) {
  auto refuse_with = [version, done](error const& e) {
    auto res = error_response(version, e);
    res.keep_alive(false);
    done(std::move(res));
  };
  bool posted = workers_.try_post("avatar upload start", [this, token = std::move(token), content_length, done, refuse_with] {
    auto who = app_.accounts.authenticate(token);
    if (!who) return refuse_with(who.error());
    auto slot = app_.backend.avatars.begin_upload(who->user, content_length);
    if (!slot) return refuse_with(slot.error());
    done(upload_ticket{who->user, std::move(*slot), true});
  }, refuse_with);
  if (!posted) done(busy_response(version, false));
}

bool request_handler::is_download(http_request const& req) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) return false;
  std::string_view path = path_of(req);
  if (!path.starts_with(api_prefix)) return false;
  auto segments = split_path(path.substr(api_prefix.size()));
  std::vector<std::string> params;
  return matches("/attachments/{}", segments, params) || matches("/attachments/{}/thumb", segments, params);
}

void request_handler::download(http_request const& req, request_source const& from, respond_fn respond,
                               respond_file_fn respond_file) {
  unsigned version = req.version();
  bool keep_alive = req.keep_alive();
  auto answer = [&](http_response res) {
    res.keep_alive(keep_alive);
    respond(std::move(res));
  };
  if (from.metrics_listener) return answer(error_response(version, errc::not_found, "not found"));
  if (auto over = over_budget(req, from)) return answer(std::move(*over));
  std::string origin = header(req, http::field::origin);
  if (!origin.empty() && origin != app_.public_origin)
    return answer(error_response(version, errc::forbidden, "cross-origin requests are not allowed"));

  auto segments = split_path(path_of(req).substr(api_prefix.size()));
  std::string id(segments.at(1));
  bool thumb = segments.size() == 3;
  std::string token = token_of(header(req, http::field::authorization), header(req, http::field::cookie));
  std::string range = header(req, http::field::range);
  std::string if_none_match = header(req, http::field::if_none_match);
  bool head_only = req.method() == http::verb::head;

  auto refuse_with = [version, keep_alive, respond](error const& e) {
    auto res = error_response(version, e);
    res.keep_alive(keep_alive);
    respond(std::move(res));
  };
  bool posted = workers_.try_post("download", [=, this] {
    auto who = app_.accounts.authenticate(token);
    if (!who) return refuse_with(who.error());
    auto d = app_.attachments.open(who->user, id, thumb);
    if (!d) return refuse_with(d.error());

    range_file file;
    beast::error_code ec;
    file.open(d->file.c_str(), beast::file_mode::read, ec);
    if (ec) return refuse_with(make_error(errc::not_found, "not found"));  // erased meanwhile
    std::uint64_t size = file.file_size();

    file_response res{http::status::ok, version};
    res.set(http::field::server, "peerchat");
    res.set(http::field::content_type, d->mime.empty() ? "application/octet-stream" : d->mime);
    res.set("X-Content-Type-Options", "nosniff");
    // Whatever the bytes are, a page opened on this URL runs nothing and loads nothing.
    res.set("Content-Security-Policy", "default-src 'none'; sandbox");
    std::string name = d->name.empty() ? "attachment" : d->name;
    res.set(http::field::content_disposition,
            std::string(d->inline_ok ? "inline" : "attachment") + "; filename*=UTF-8''" + rfc8187(name));
    // Content-addressed: a URL's bytes never change, so a browser may keep them (privately).
    res.set(http::field::cache_control, "private, max-age=31536000, immutable");
    res.set(http::field::etag, "\"" + d->file.filename().string() + "\"");
    res.set(http::field::accept_ranges, "bytes");
    res.keep_alive(keep_alive);

    bool not_modified = !if_none_match.empty() && if_none_match == res[http::field::etag];
    if (not_modified) {
      res.result(http::status::not_modified);
    } else {
      auto r = parse_range(range, size);
      if (r.kind == byte_range::unsatisfiable) {
        auto bad = error_response(version, make_error(errc::bad_request, "the range is past the end of the file"));
        bad.result(http::status::range_not_satisfiable);
        bad.set(http::field::content_range, "bytes */" + std::to_string(size));
        bad.keep_alive(keep_alive);
        return respond(std::move(bad));
      }
      if (r.kind == byte_range::partial) {
        res.result(http::status::partial_content);
        res.set(http::field::content_range, "bytes " + std::to_string(r.first) + "-" +
                                                std::to_string(r.first + r.length - 1) + "/" + std::to_string(size));
        file.set_range(r.first, r.length);
      }
    }
    std::uint64_t length = file.size(ec);  // what a GET sends: a HEAD says it too
    if (head_only || not_modified) file.set_range(0, 0);
    res.body().reset(std::move(file), ec);
    if (ec) return refuse_with(make_error(errc::internal, "the file could not be read"));
    if (!not_modified) res.content_length(length);
    respond_file(std::move(res));
  }, refuse_with);
  if (!posted) respond(busy_response(version, keep_alive));
}

}  // namespace peerchat::gateway
