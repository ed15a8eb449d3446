// SPDX-License-Identifier: MIT
// "Last seen": authenticating marks the session and its user, at most once per interval.
#include "fixture.hpp"
#include "peerchat/service/devices.hpp"

namespace peerchat::unit {
namespace {

class LastSeen : public service_fixture {
 protected:
  // Waits for the fire-and-forget update: the writer runs jobs in order, so once a job
  // posted after it has committed, it has too.
  void drain() { exec("SELECT 1"); }
  std::int64_t session_seen(session_id s) {
    return query_int("SELECT last_seen_at FROM sessions WHERE id = " + std::to_string(raw(s)));
  }
  std::int64_t user_seen(user_id u) {
    return query_int("SELECT coalesce(last_seen_at, -1) FROM users WHERE id = " + std::to_string(raw(u)));
  }
};

TEST_F(LastSeen, AuthenticatingWritesAtMostOncePerInterval) {
  auto login = must(accounts().login("bob", fixture_password, "10.0.0.1"));
  millis_t logged_in_at = clock.now();
  service::devices devices(ctx(), accounts().last_seen_writes());
  ASSERT_OK(devices.record_login(login.session, "curl/8"));
  EXPECT_EQ(session_seen(login.session), logged_in_at);
  EXPECT_EQ(user_seen(bob.user.id), logged_in_at);

  // Right after the login: nothing to write.
  clock.advance(1000);
  ASSERT_OK(accounts().authenticate(login.token));
  EXPECT_FALSE(accounts().last_seen_writes().touch(bob.user.id, login.session));
  drain();
  EXPECT_EQ(session_seen(login.session), logged_in_at);

  // Once the interval has passed, the next request writes, once.
  clock.advance(service::last_seen::default_interval);
  millis_t later = clock.now();
  ASSERT_OK(accounts().authenticate(login.token));
  clock.advance(1000);
  ASSERT_OK(accounts().authenticate(login.token));
  drain();
  EXPECT_EQ(session_seen(login.session), later);
  EXPECT_EQ(user_seen(bob.user.id), later);
  EXPECT_EQ(user_seen(carol.user.id), -1) << "carol was never seen";
}

TEST_F(LastSeen, EachSessionHasItsOwnInterval) {
  auto& seen = accounts().last_seen_writes();
  EXPECT_TRUE(seen.touch(bob.user.id, bob.session));
  EXPECT_TRUE(seen.touch(carol.user.id, carol.session));
  EXPECT_FALSE(seen.touch(bob.user.id, bob.session));
  drain();
  EXPECT_EQ(session_seen(bob.session), clock.now());
  EXPECT_EQ(session_seen(carol.session), clock.now());
}

TEST(UserAgent, IsCutAndKeptPrintable) {
  EXPECT_EQ(service::devices::clean_user_agent("  Firefox/1 \t"), "Firefox/1 ?");
  EXPECT_EQ(service::devices::clean_user_agent("caf\xc3\xa9"), "caf??");
  EXPECT_EQ(service::devices::clean_user_agent(std::string(2000, 'a')).size(), service::devices::max_user_agent_bytes);
  EXPECT_EQ(service::devices::clean_user_agent("   "), "");
}

}  // namespace
}  // namespace peerchat::unit
