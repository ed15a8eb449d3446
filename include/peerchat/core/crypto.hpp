// SPDX-License-Identifier: MIT
// Secrets: random tokens, their SHA-256 fingerprints, and Argon2id password hashes.
#pragma once
#include <memory>
#include <string>
#include <string_view>

namespace peerchat::crypto {

// Must be called once before any other function here (initialises libsodium).
void init();

// `bytes` random bytes from the OS CSPRNG, encoded base64url without padding.
std::string random_token(std::size_t bytes = 32);

// Lower-case hex SHA-256 of the input. Session tokens are stored only as this, so a
// leaked database does not let anyone log in.
std::string sha256_hex(std::string_view data);

// SHA-256 over bytes that come in pieces (a file read or written in chunks), never all in
// memory at once. Thread safety: none; one hash per object.
class sha256_stream {
 public:
  sha256_stream();  // throws std::runtime_error when OpenSSL has no SHA-256
  ~sha256_stream();
  sha256_stream(sha256_stream const&) = delete;
  sha256_stream& operator=(sha256_stream const&) = delete;
  void update(void const* data, std::size_t n);
  std::string hex();  // lower-case hex of everything given to update(); ends the hash

 private:
  struct context;
  std::unique_ptr<context> ctx_;
};

// Argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), in the PHC string format.
std::string hash_password(std::string_view password);
// Constant-time verification against a hash_password() string.
bool verify_password(std::string_view password, std::string const& hash);

}  // namespace peerchat::crypto
