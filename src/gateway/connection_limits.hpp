// SPDX-License-Identifier: MIT
// Caps on open connections: in total and per client address (limits.max_connections,
// limits.max_connections_per_address). A connection over a cap is closed at once.
#pragma once
#include <boost/asio/ip/address.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace peerchat::gateway {

// Thread safety: admit() and the slots' release from any thread; mutex_ guards the counts.
class connection_limits : public std::enable_shared_from_this<connection_limits> {
 public:
  connection_limits(std::size_t total, std::size_t per_address) : total_cap_(total), per_address_cap_(per_address) {}

  // A slot held for as long as the connection is open (HTTP, then WebSocket), or nullptr
  // when a cap is reached. count_address is false for a trusted reverse proxy: every user
  // comes through it, so only the total cap applies to it.
  std::shared_ptr<void> admit(boost::asio::ip::address const& peer, bool count_address);

  std::size_t open() const;
  std::atomic<std::uint64_t> refused{0};  // connections closed for a cap

 private:
  void release(boost::asio::ip::address const& peer, bool counted);

  std::size_t const total_cap_;
  std::size_t const per_address_cap_;
  mutable std::mutex mutex_;
  std::size_t open_ = 0;                                    // guarded by mutex_
  std::map<boost::asio::ip::address, std::size_t> by_address_;  // guarded by mutex_; no zero entries
};

}  // namespace peerchat::gateway
