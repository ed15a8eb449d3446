// SPDX-License-Identifier: MIT
// Mozilla's "intermediate" TLS configuration.
#include "tls_context.hpp"
#include <stdexcept>

namespace peerchat::gateway {

namespace ssl = boost::asio::ssl;

namespace {
// TLS 1.2 and 1.3, forward-secret AEAD ciphers.
constexpr char tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
}  // namespace

std::shared_ptr<ssl::context> make_tls_context(config const& cfg) {
  if (cfg.tls_cert.empty()) return nullptr;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_cipher_list(ctx->native_handle(), tls12_ciphers);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cfg.tls_cert, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + cfg.tls_cert + ": " + ec.message());
  ctx->use_private_key_file(cfg.tls_key, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + cfg.tls_key + ": " + ec.message());
  // A key that is not the certificate's (half-renewed files) must not replace a working pair.
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("TLS key " + cfg.tls_key + " does not match certificate " + cfg.tls_cert);
  return ctx;
}

}  // namespace peerchat::gateway
