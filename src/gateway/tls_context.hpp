// SPDX-License-Identifier: MIT
// The TLS server context, built from the certificate and key files (at start, and again on
// SIGHUP after a renewal).
#pragma once
#include "peerchat/core/config.hpp"
#include <boost/asio/ssl/context.hpp>
#include <memory>

namespace peerchat::gateway {

// nullptr when cfg has no --tls-cert. Throws std::runtime_error naming the file that fails.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(config const& cfg);

}  // namespace peerchat::gateway
