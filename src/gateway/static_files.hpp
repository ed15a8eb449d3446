// SPDX-License-Identifier: MIT
// The bundled web client, compiled into the binary and served with caching and security headers.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

namespace peerchat::gateway {

struct static_file {
  std::string_view content;
  std::string content_type;
  std::string etag;
};

// Thread safety: immutable after construction.
class static_files {
 public:
  static_files();
  // The file for a request path. Paths that name no file get index.html, so client-side
  // routes like /invite/<code> load the app; nullptr only when there is no web client.
  static_file const* find(std::string_view path) const;

 private:
  std::unordered_map<std::string, static_file> files_;
};

// Security headers sent with every web client response. connect-src 'self' covers the
// page's own ws:/wss: origin (CSP level 3); "ws: wss:" would let a script injected into the
// page talk to any host.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

}  // namespace peerchat::gateway
