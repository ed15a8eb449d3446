// SPDX-License-Identifier: MIT
// Secrets: random tokens, their SHA-256 fingerprints, and Argon2id password hashes.
#pragma once
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

// Argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), in the PHC string format.
std::string hash_password(std::string_view password);
// Constant-time verification against a hash_password() string.
bool verify_password(std::string_view password, std::string const& hash);

}  // namespace peerchat::crypto
