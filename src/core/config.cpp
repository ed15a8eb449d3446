// SPDX-License-Identifier: MIT
// Derived values of the configuration.
#include "peerchat/core/config.hpp"

namespace peerchat {

std::string config::effective_public_url() const {
  std::string url = public_url;
  if (url.empty()) {
    std::string host = listen_host == "0.0.0.0" || listen_host == "::" ? "localhost" : listen_host;
    url = (tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(listen_port);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string config::public_origin() const {
  std::string url = effective_public_url();
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  auto path = url.find('/', scheme_end + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

}  // namespace peerchat
