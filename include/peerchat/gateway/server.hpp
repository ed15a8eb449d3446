// SPDX-License-Identifier: MIT
// The whole server: store, services, hub, HTTP and WebSocket, on its own threads.
#pragma once
#include "peerchat/core/config.hpp"
#include <cstdint>
#include <memory>

namespace peerchat::gateway {

// Thread safety: start(), stop() and wait() from one controlling thread.
class server {
 public:
  // Opens (and migrates) the database in cfg.data_dir; throws std::runtime_error with a
  // message for the self-hoster when that fails.
  explicit server(config cfg);
  ~server();  // stop()s if still running

  // Binds the listener (port 0 picks a free one) and starts the I/O and worker threads.
  // Returns the bound port. Throws std::runtime_error when the address cannot be bound.
  std::uint16_t start();

  // Graceful stop: stop accepting, close every socket with 1001, let in-flight commits
  // finish, stop the writer. Idempotent.
  void stop();

  // Blocks until SIGTERM/SIGINT (when install_signal_handlers was called) or stop().
  void wait();
  // SIGTERM/SIGINT stop the server; SIGHUP reloads the TLS certificate (reload_tls()).
  void install_signal_handlers();

  // Reads --tls-cert/--tls-key again for new connections (open ones keep theirs); logs the
  // outcome and keeps the current certificate when the files do not load. Any thread.
  void reload_tls();

  // The port of --metrics-listen once started (0 when there is none).
  std::uint16_t metrics_port() const;

  class impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace peerchat::gateway
