// SPDX-License-Identifier: MIT
// A plain TCP connection to the server under test, for tests about connections themselves
// (caps, slow clients, running out of descriptors): every read has a deadline.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <string>

namespace peerchat::test {

class raw_socket {
 public:
  explicit raw_socket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) close();
  }
  ~raw_socket() { close(); }
  raw_socket(raw_socket const&) = delete;
  raw_socket& operator=(raw_socket const&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string const& bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Reads until the server closes (true) or the deadline passes (false); what came is in `got`.
  bool wait_closed(std::chrono::milliseconds timeout, std::string* got = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (int i = 0; i < 10000 && fd_ >= 0; ++i) {  // bounded
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;  // closed (or reset)
      if (got) got->append(buf, static_cast<std::size_t>(n));
    }
    return false;
  }
  // Reads until what came holds `marker` (true) or the deadline passes or the server closes
  // (false); what came is in `got`.
  bool read_until(std::string const& marker, std::chrono::milliseconds timeout, std::string& got) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (int i = 0; i < 10000 && fd_ >= 0; ++i) {  // bounded
      if (got.find(marker) != std::string::npos) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return false;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return false;
  }
  // One HTTP/1.1 request on this connection; the status line of the answer ("" if none).
  std::string request(std::string const& target, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (!send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) return "";
    std::string got;
    wait_closed(timeout, &got);
    return got.substr(0, got.find("\r\n"));
  }
  // One request that keeps the connection open; the status line once the whole answer
  // (headers and Content-Length bytes) has come, "" when it did not within the timeout.
  std::string request_keep_alive(std::string const& target,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (!send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) return "";
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string got;
    char buf[4096];
    for (int i = 0; i < 10000; ++i) {  // bounded
      auto end = got.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto at = got.find("Content-Length: ");
        std::size_t length = at == std::string::npos ? 0 : std::stoul(got.substr(at + 16));
        if (got.size() >= end + 4 + length) return got.substr(0, got.find("\r\n"));
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      got.append(buf, static_cast<std::size_t>(n));
    }
    return "";
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace peerchat::test
