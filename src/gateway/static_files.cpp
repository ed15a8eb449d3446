// SPDX-License-Identifier: MIT
// Serving the embedded web client.
#include "static_files.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/core/embedded_file.hpp"

namespace peerchat::web_embedded {
std::span<const peerchat::embedded_file> files();
}

namespace peerchat::gateway {

namespace {
std::string type_of(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}
}  // namespace

static_files::static_files() {
  for (auto const& f : web_embedded::files()) {
    std::string etag = "\"" + crypto::sha256_hex(f.content).substr(0, 32) + "\"";
    files_.emplace("/" + std::string(f.path), static_file{f.content, type_of(f.path), std::move(etag)});
  }
}

static_file const* static_files::find(std::string_view path) const {
  if (path.empty() || path == "/") path = "/index.html";
  if (auto it = files_.find(std::string(path)); it != files_.end()) return &it->second;
  // A missing asset (a name with an extension) is a 404; any other path is a client route.
  if (path.substr(path.rfind('/') + 1).find('.') != std::string_view::npos) return nullptr;
  auto index = files_.find("/index.html");
  return index == files_.end() ? nullptr : &index->second;
}

}  // namespace peerchat::gateway
