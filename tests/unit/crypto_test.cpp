// SPDX-License-Identifier: MIT
// Secrets: random tokens, SHA-256 fingerprints and Argon2id password hashes.
#include "fixture.hpp"
#include <unordered_set>

namespace peerchat::unit {
namespace {

class Crypto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::init(); }
};

bool is_base64url(std::string_view s) {
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

TEST_F(Crypto, InitIsIdempotent) {
  EXPECT_NO_THROW(crypto::init());
  EXPECT_NO_THROW(crypto::init());
}

TEST_F(Crypto, RandomTokenCarries256BitsAsUnpaddedBase64url) {
  auto token = crypto::random_token();
  EXPECT_EQ(token.size(), 43u);  // ceil(32 bytes * 8 / 6): 256 bits, no '=' padding
  EXPECT_TRUE(is_base64url(token)) << token;
}

TEST_F(Crypto, RandomTokenLengthFollowsTheByteCount) {
  EXPECT_EQ(crypto::random_token(16).size(), 22u);  // 128 bits
  EXPECT_EQ(crypto::random_token(24).size(), 32u);  // 192 bits
  EXPECT_TRUE(is_base64url(crypto::random_token(24)));
}

TEST_F(Crypto, RandomTokensAreUnique) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) EXPECT_TRUE(seen.insert(crypto::random_token()).second) << "repeat at draw " << i;
}

TEST_F(Crypto, RandomTokensUseTheWholeAlphabet) {
  // 2000 tokens of 43 characters: each of the 64 symbols is all but certain to appear; a
  // generator stuck on part of the alphabet would not produce them all.
  std::unordered_set<char> symbols;
  for (int i = 0; i < 2000; ++i)
    for (char c : crypto::random_token()) symbols.insert(c);
  EXPECT_EQ(symbols.size(), 64u);
}

TEST_F(Crypto, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crypto::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(crypto::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_F(Crypto, Sha256HexIsLowerCaseHex) {
  auto h = crypto::sha256_hex(crypto::random_token());
  EXPECT_EQ(h.size(), 64u);
  for (char c : h) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << h;
}

TEST_F(Crypto, PasswordHashIsArgon2idWithOwaspParameters) {
  auto hash = crypto::hash_password("correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
}

TEST_F(Crypto, VerifyAcceptsTheRightPasswordAndRejectsOthers) {
  auto const& hash = fixture_password_hash();
  EXPECT_TRUE(crypto::verify_password(fixture_password, hash));
  EXPECT_FALSE(crypto::verify_password("correct horse battery stapler", hash));
  EXPECT_FALSE(crypto::verify_password("Correct horse battery staple", hash));
  EXPECT_FALSE(crypto::verify_password("", hash));
}

TEST_F(Crypto, VerifyRejectsAMalformedHash) {
  EXPECT_FALSE(crypto::verify_password("anything at all", ""));
  EXPECT_FALSE(crypto::verify_password("anything at all", "not a hash"));
  EXPECT_FALSE(crypto::verify_password("anything at all", "$argon2id$v=19$m=19456,t=2,p=1$broken"));
}

TEST_F(Crypto, TwoHashesOfOnePasswordDiffer) {
  auto first = crypto::hash_password("same password, twice");
  auto second = crypto::hash_password("same password, twice");
  EXPECT_NE(first, second);  // a fresh salt each time
  EXPECT_TRUE(crypto::verify_password("same password, twice", first));
  EXPECT_TRUE(crypto::verify_password("same password, twice", second));
}

TEST_F(Crypto, PasswordsWithNulBytesAreHashedWhole) {
  std::string with_nul("secret\0suffix-one", 17);
  auto hash = crypto::hash_password(with_nul);
  EXPECT_TRUE(crypto::verify_password(with_nul, hash));
  EXPECT_FALSE(crypto::verify_password(std::string("secret\0suffix-two", 17), hash));
  EXPECT_FALSE(crypto::verify_password("secret", hash));
}

}  // namespace
}  // namespace peerchat::unit
