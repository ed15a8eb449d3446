// SPDX-License-Identifier: MIT
// A minimal HTTP(S) GET of /healthz with plain sockets and OpenSSL.
#include "healthcheck.hpp"
#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <memory>

namespace peerchat::cli {

namespace {
int connect_to(std::string const& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (auto* a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}
}  // namespace

bool healthcheck(std::string const& host, std::uint16_t port, bool tls) {
  int fd = connect_to(host, port);
  if (fd < 0) return false;
  std::string request = "GET /healthz HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  char reply[64] = {};
  int got = 0;
  if (tls) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(ctx ? SSL_new(ctx.get()) : nullptr, SSL_free);
    if (ssl && SSL_set_fd(ssl.get(), fd) == 1 && SSL_connect(ssl.get()) == 1 &&
        SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) > 0)
      got = SSL_read(ssl.get(), reply, sizeof reply - 1);
  } else if (send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    got = static_cast<int>(recv(fd, reply, sizeof reply - 1, MSG_WAITALL));
  }
  close(fd);
  std::string status(reply, got > 0 ? got : 0);
  return status.starts_with("HTTP/1.0 200") || status.starts_with("HTTP/1.1 200");
}

}  // namespace peerchat::cli
