// SPDX-License-Identifier: MIT
// Accounts and sessions: field rules, login, tokens kept only as SHA-256, logout, expiry and
// login rate limits on the manual clock.
#include "fixture.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::unit {
namespace {

using service::check_display_name;
using service::check_password;
using service::check_username;

class Accounts : public service_fixture {};

// ---- create_user -----------------------------------------------------------------------

TEST_F(Accounts, CreateUserReturnsTheNewUser) {
  auto dave = accounts().create_user("dave", "Dave Davis", "a long enough password", false);
  ASSERT_OK(dave);
  EXPECT_EQ(dave->username, "dave");
  EXPECT_EQ(dave->display_name, "Dave Davis");
  EXPECT_FALSE(dave->is_admin);
  EXPECT_GT(raw(dave->id), 0);
  // The password is stored only as its Argon2id hash.
  auto stored = query_column("SELECT password_hash FROM users WHERE username = 'dave'");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(crypto::verify_password("a long enough password", stored[0]));
}

TEST_F(Accounts, CreateUserCanMakeAServerAdmin) {
  auto erin = accounts().create_user("erin", "Erin", "a long enough password", true);
  ASSERT_OK(erin);
  EXPECT_TRUE(erin->is_admin);
  EXPECT_EQ(query_int("SELECT is_admin FROM users WHERE username = 'erin'"), 1);
}

TEST_F(Accounts, CreateUserRejectsBadUsernames) {
  for (std::string const& bad : std::vector<std::string>{"", "ab", std::string(33, 'a'), "Alice", "al ice", "al@ce", "al/ce", "älice", "alice\n",
                          std::string("ali\0ce", 6)})
    EXPECT_ERRC(accounts().create_user(bad, "Someone", "a long enough password", false), bad_request) << bad;
  EXPECT_EQ(query_int("SELECT count(*) FROM users"), 3);  // alice, bob, carol only
}

TEST_F(Accounts, UsernameRuleAcceptsItsEdges) {
  for (std::string const& good : std::vector<std::string>{"abc", std::string(32, 'z'), "a_b.c-9", "007", "..."})
    EXPECT_OK(check_username(good)) << good;
}

TEST_F(Accounts, CreateUserTrimsTheDisplayName) {
  auto dave = accounts().create_user("dave", "  \tDave Davis \u3000", "a long enough password", false);
  ASSERT_OK(dave);
  EXPECT_EQ(dave->display_name, "Dave Davis");
  EXPECT_EQ(query_column("SELECT display_name FROM users WHERE username = 'dave'"), std::vector<std::string>{"Dave Davis"});
}

TEST_F(Accounts, EmptyDisplayNameDefaultsToTheUsername) {
  auto dave = accounts().create_user("dave", "", "a long enough password", false);
  ASSERT_OK(dave);
  EXPECT_EQ(dave->display_name, "dave");
}

TEST_F(Accounts, CreateUserRejectsBadDisplayNames) {
  std::string emoji65;
  for (int i = 0; i < 65; ++i) emoji65 += "\xF0\x9F\x91\x8B";  // 👋
  for (std::string const& bad : std::vector<std::string>{std::string("   "), std::string(65, 'x'), emoji65, std::string("Dave\x01"),
                          std::string("\xff\xfe"), std::string("Da\x7fve")})
    EXPECT_ERRC(accounts().create_user("dave", bad, "a long enough password", false), bad_request) << bad;
  EXPECT_EQ(query_int("SELECT count(*) FROM users WHERE username = 'dave'"), 0);
}

TEST_F(Accounts, DisplayNameRuleCountsCharactersNotBytes) {
  std::string emoji64;
  for (int i = 0; i < 64; ++i) emoji64 += "\xF0\x9F\x91\x8B";  // 64 characters, 256 bytes
  EXPECT_OK(check_display_name(emoji64));
  EXPECT_OK(check_display_name(std::string(64, 'x')));
  EXPECT_OK(check_display_name("x"));
}

TEST_F(Accounts, CreateUserRejectsBadPasswords) {
  EXPECT_ERRC(accounts().create_user("dave", "Dave", "", false), bad_request);
  EXPECT_ERRC(accounts().create_user("dave", "Dave", "nine char", false), bad_request);  // 9 bytes
  EXPECT_ERRC(accounts().create_user("dave", "Dave", std::string(1025, 'p'), false), bad_request);
  EXPECT_ERRC(accounts().create_user("dave", "Dave", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", false), bad_request);
  EXPECT_EQ(query_int("SELECT count(*) FROM users WHERE username = 'dave'"), 0);
}

TEST_F(Accounts, PasswordRuleIsInBytes) {
  EXPECT_OK(check_password("ten bytes!"));
  EXPECT_OK(check_password(std::string(1024, 'p')));
  EXPECT_OK(check_password("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"));  // 5 characters, 10 bytes
  EXPECT_ERRC(check_password("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" "a"), bad_request);  // 9 bytes
}

TEST_F(Accounts, DuplicateUsernameIsAConflict) {
  EXPECT_ERRC(accounts().create_user("bob", "Another Bob", "a long enough password", false), conflict);
  EXPECT_EQ(query_column("SELECT display_name FROM users WHERE username = 'bob'"), std::vector<std::string>{"Bob Brown"});
}

// ---- login, tokens, sessions ----------------------------------------------------------

TEST_F(Accounts, LoginReturnsATokenStoredOnlyAsItsSha256) {
  auto login = accounts().login("alice", fixture_password, "10.0.0.1");
  ASSERT_OK(login);
  EXPECT_EQ(login->user.id, alice.user.id);
  EXPECT_EQ(login->user.username, "alice");
  EXPECT_TRUE(login->user.is_admin);
  EXPECT_EQ(login->token.size(), 43u);  // 256 random bits, base64url

  auto sid = std::to_string(raw(login->session));
  EXPECT_EQ(query_column("SELECT token_hash FROM sessions WHERE id = " + sid),
            std::vector<std::string>{crypto::sha256_hex(login->token)});
  // No column of any session row holds the token itself.
  for (auto const& row : query_rows("SELECT * FROM sessions"))
    for (auto const& value : row) EXPECT_EQ(value.find(login->token), std::string::npos) << value;
}

TEST_F(Accounts, SessionLastsSessionDays) {
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  auto sid = std::to_string(raw(login.session));
  EXPECT_EQ(query_int("SELECT expires_at - created_at FROM sessions WHERE id = " + sid),
            cfg.limits.session_days * 86'400'000);
  EXPECT_EQ(query_int("SELECT created_at FROM sessions WHERE id = " + sid), clock.now());
}

TEST_F(Accounts, WrongPasswordIsUnauthorized) {
  EXPECT_ERRC(accounts().login("alice", "not alice's password", "10.0.0.1"), unauthorized);
  EXPECT_ERRC(accounts().login("alice", "", "10.0.0.1"), unauthorized);
}

TEST_F(Accounts, UnknownUserLooksLikeAWrongPassword) {
  auto unknown = accounts().login("mallory", fixture_password, "10.0.0.1");
  auto wrong = accounts().login("alice", "not alice's password", "10.0.0.1");
  ASSERT_ERRC(unknown, unauthorized);
  ASSERT_ERRC(wrong, unauthorized);
  EXPECT_EQ(unknown.error().message, wrong.error().message);  // no user enumeration
}

TEST_F(Accounts, LoginCreatesNoSessionOnFailure) {
  auto before = query_int("SELECT count(*) FROM sessions");
  EXPECT_ERRC(accounts().login("alice", "not alice's password", "10.0.0.1"), unauthorized);
  EXPECT_EQ(query_int("SELECT count(*) FROM sessions"), before);
}

TEST_F(Accounts, AuthenticateFindsTheSessionsUser) {
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  auto who = accounts().authenticate(login.token);
  ASSERT_OK(who);
  EXPECT_EQ(who->user.id, bob.user.id);
  EXPECT_EQ(who->user.username, "bob");
  EXPECT_EQ(who->user.display_name, "Bob Brown");
  EXPECT_FALSE(who->user.is_admin);
  EXPECT_EQ(who->session, login.session);
}

TEST_F(Accounts, AuthenticateRejectsAnythingElse) {
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  EXPECT_ERRC(accounts().authenticate(""), unauthorized);
  EXPECT_ERRC(accounts().authenticate(crypto::random_token()), unauthorized);
  EXPECT_ERRC(accounts().authenticate(login.token + "x"), unauthorized);
  EXPECT_ERRC(accounts().authenticate(login.token.substr(1)), unauthorized);
  EXPECT_ERRC(accounts().authenticate(std::string(10'000, 'a')), unauthorized);
  // The stored fingerprint is not a token either: a leaked database logs nobody in.
  EXPECT_ERRC(accounts().authenticate(crypto::sha256_hex(login.token)), unauthorized);
}

TEST_F(Accounts, LogoutEndsTheSessionAtOnce) {
  std::vector<session_id> ended;
  ctx().hooks.session_ended = [&](session_id s) { ended.push_back(s); };
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  auto who = must(accounts().authenticate(login.token));

  ASSERT_OK(accounts().logout(who));

  EXPECT_ERRC(accounts().authenticate(login.token), unauthorized);
  EXPECT_EQ(ended, std::vector<session_id>{login.session});  // its sockets are told to close
  EXPECT_EQ(query_int("SELECT count(*) FROM sessions WHERE id = " + std::to_string(raw(login.session))), 0);
}

TEST_F(Accounts, LogoutEndsOnlyThatSession) {
  auto phone = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  auto laptop = must(accounts().login("bob", fixture_password, "10.0.0.2"));
  EXPECT_NE(phone.token, laptop.token);
  ASSERT_OK(accounts().logout(must(accounts().authenticate(phone.token))));
  EXPECT_ERRC(accounts().authenticate(phone.token), unauthorized);
  EXPECT_OK(accounts().authenticate(laptop.token));
}

TEST_F(Accounts, SessionExpiresAfterSessionDays) {
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  millis_t lifetime = cfg.limits.session_days * 86'400'000;
  clock.advance(lifetime - 1);
  EXPECT_OK(accounts().authenticate(login.token));
  clock.advance(1);
  EXPECT_ERRC(accounts().authenticate(login.token), unauthorized);
  clock.advance(86'400'000);
  EXPECT_ERRC(accounts().authenticate(login.token), unauthorized);
}

// ---- login rate limits -----------------------------------------------------------------

TEST_F(Accounts, LoginIsRateLimitedPerUsernameAtAnAddress) {
  cfg.limits.login_per_minute = 3;  // a burst of 3, then one every 20 s
  for (int i = 0; i < 3; ++i)
    EXPECT_ERRC(accounts().login("alice", "guess number " + std::to_string(i), "10.0.0.66"), unauthorized);

  // From that address even the right password is refused now, without being checked.
  auto limited = accounts().login("alice", fixture_password, "10.0.0.66");
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_GT(limited.error().retry_after_ms, 0);
  EXPECT_LE(limited.error().retry_after_ms, 20'000);
  // Other users at that address are not affected.
  EXPECT_OK(accounts().login("bob", fixture_password, "10.0.0.66"));

  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(accounts().login("alice", fixture_password, "10.0.0.66"));
}

// Issue 10, item 7: ten wrong passwords for a username used to block its owner everywhere.
TEST_F(Accounts, WrongPasswordsFromOneAddressDoNotLockTheOwnerOut) {
  int refused = 0;
  for (int i = 0; i < 15; ++i) {
    auto r = accounts().login("alice", "guess number " + std::to_string(i), "198.51.100.7");
    if (!r && r.error().code == errc::rate_limited) ++refused;
  }
  EXPECT_GE(refused, 5) << "the guesser at 198.51.100.7 must be stopped";
  EXPECT_ERRC(accounts().login("alice", fixture_password, "198.51.100.7"), rate_limited);
  // alice, on her own phone, logs in at once.
  EXPECT_OK(accounts().login("alice", fixture_password, "203.0.113.20"));
}

TEST_F(Accounts, LoginIsRateLimitedPerAddress) {
  cfg.limits.login_per_minute = 2;  // per address: three times that, a burst of 6
  for (int i = 0; i < 6; ++i)
    EXPECT_ERRC(accounts().login("sprayed" + std::to_string(i), "a password guess", "203.0.113.7"), unauthorized);

  auto limited = accounts().login("bob", fixture_password, "203.0.113.7");
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_GT(limited.error().retry_after_ms, 0);
  EXPECT_OK(accounts().login("bob", fixture_password, "203.0.113.8"));  // another address

  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(accounts().login("carol", fixture_password, "203.0.113.7"));
}

// Issue 10, item 6: an oversized username is refused before it is kept anywhere.
TEST_F(Accounts, OversizedCredentialsAreBadRequestAndKeepNothing) {
  std::string huge(1 << 20, 'a');
  EXPECT_ERRC(accounts().login(huge, "a password guess", "10.0.0.1"), bad_request);
  EXPECT_ERRC(accounts().login(std::string(33, 'a'), "a password guess", "10.0.0.1"), bad_request);
  EXPECT_ERRC(accounts().login("alice", std::string(1025, 'p'), "10.0.0.1"), bad_request);
  EXPECT_EQ(accounts().login_limiter_keys(), 0u);
  EXPECT_ERRC(accounts().login(std::string(32, 'a'), "a password guess", "10.0.0.1"), unauthorized);  // the edge
}

}  // namespace
}  // namespace peerchat::unit
