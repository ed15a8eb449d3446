// SPDX-License-Identifier: MIT
// `peerchat healthcheck`: the container's HEALTHCHECK, with no curl in the image.
#pragma once
#include <cstdint>
#include <string>

namespace peerchat::cli {

// GETs /healthz on host:port (over TLS when tls is set, without verifying the certificate:
// it is the server checking itself). True on a 200 within two seconds.
bool healthcheck(std::string const& host, std::uint16_t port, bool tls);

}  // namespace peerchat::cli
