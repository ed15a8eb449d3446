// SPDX-License-Identifier: MIT
// Reset and setup codes against the store with a manual clock: they expire (24 h, 7 days),
// work once, and only their SHA-256 is kept.
#include "fixture.hpp"
#include "peerchat/service/user_admin.hpp"

namespace peerchat::unit {
namespace {

class UserAdmin : public service_fixture {
 protected:
  void TearDown() override {
    admin_.reset();
    service_fixture::TearDown();
  }
  service::user_admin& admin() {
    if (!admin_) admin_ = std::make_unique<service::user_admin>(ctx(), messages());
    return *admin_;
  }
  static std::string code_of(service::account_code const& c) { return c.code; }

  std::unique_ptr<service::user_admin> admin_;
  std::string const address = "192.0.2.7";
};

TEST_F(UserAdmin, AResetCodeWorksUntilItsTwentyFourHoursAreOver) {
  auto link = must(admin().reset_link(alice, bob.user.id));
  EXPECT_EQ(link.purpose, "reset");
  EXPECT_EQ(link.expires_at, clock.now() + 24LL * 3600 * 1000);
  clock.advance(24LL * 3600 * 1000 - 1);
  auto holder = admin().check_code(link.code, address);
  ASSERT_OK(holder);
  EXPECT_EQ(holder->username, "bob");
  clock.advance(1);
  EXPECT_ERRC(admin().check_code(link.code, address), not_found);
  EXPECT_ERRC(admin().use_code(link.code, "a new password for bob", address), not_found);
  // bob's session and password are untouched.
  EXPECT_EQ(query_int("SELECT count(*) FROM sessions WHERE user_id = " + id_of(bob)), 1);
}

TEST_F(UserAdmin, ASetupCodeLastsSevenDaysAndWorksOnce) {
  auto made = must(admin().create(alice, "hana", "Hana", std::nullopt, false));
  ASSERT_TRUE(made.setup.has_value());
  EXPECT_EQ(made.setup->purpose, "setup");
  clock.advance(7LL * 24 * 3600 * 1000 - 1);
  auto in = admin().use_code(made.setup->code, "hana's first password", address);
  ASSERT_OK(in);
  EXPECT_EQ(in->user.username, "hana");
  EXPECT_ERRC(admin().use_code(made.setup->code, "hana's second password", address), not_found);

  auto late = must(admin().create(alice, "ivan", "Ivan", std::nullopt, false));
  clock.advance(7LL * 24 * 3600 * 1000);
  EXPECT_ERRC(admin().use_code(late.setup->code, "ivan's first password", address), not_found);
}

TEST_F(UserAdmin, OnlyTheHashOfACodeIsStored) {
  auto link = must(admin().reset_link(alice, carol.user.id));
  auto stored = query_column("SELECT code_hash FROM account_codes");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0], crypto::sha256_hex(link.code));
  EXPECT_EQ(stored[0].size(), 64u);
  EXPECT_GE(link.code.size(), 43u);  // 256 random bits
}

TEST_F(UserAdmin, UsingACodeEndsEverySessionAndReportsThemToTheLiveSide) {
  std::vector<session_id> closed;
  ctx().hooks.session_ended = [&](session_id s) { closed.push_back(s); };
  auto link = must(admin().reset_link(alice, bob.user.id));
  auto in = must(admin().use_code(link.code, "bob's brand new password", address));
  EXPECT_EQ(closed, std::vector<session_id>{bob.session});
  EXPECT_EQ(query_int("SELECT count(*) FROM sessions WHERE user_id = " + id_of(bob)), 1);  // the new one
  EXPECT_EQ(query_int("SELECT count(*) FROM account_codes"), 0);
  EXPECT_ERRC(accounts().authenticate("not the old token"), unauthorized);
  EXPECT_OK(accounts().login("bob", "bob's brand new password", address));
}

}  // namespace
}  // namespace peerchat::unit
