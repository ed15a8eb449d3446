// SPDX-License-Identifier: MIT
// The first-run setup link: only without an admin, once, for one hour.
#include "fixture.hpp"
#include "peerchat/service/first_run.hpp"

namespace peerchat::unit {
namespace {

class FirstRun : public store_fixture {
 protected:
  void SetUp() override {
    store_fixture::SetUp();
    ctx_ = std::make_unique<service::context>(service::context{writer(), reader(), clock, cfg, {}});
    setup_ = std::make_unique<service::first_run>(*ctx_);
  }
  void TearDown() override {
    setup_.reset();
    ctx_.reset();
    store_fixture::TearDown();
  }

  manual_clock clock;
  config cfg;
  std::unique_ptr<service::context> ctx_;
  std::unique_ptr<service::first_run> setup_;
};

TEST_F(FirstRun, AnEmptyServerGetsALinkThatCreatesTheFirstAdminOnce) {
  auto code = setup_->begin();
  ASSERT_TRUE(code.has_value());
  EXPECT_GE(code->size(), 32u);  // 192 random bits, base64url
  auto expires = setup_->check(*code);
  ASSERT_OK(expires);
  EXPECT_EQ(*expires, clock.now() + service::first_run::valid_for_ms);

  auto admin = setup_->complete(*code, "root", "The Admin", "a long enough password");
  ASSERT_OK(admin);
  EXPECT_TRUE(admin->user.is_admin);
  EXPECT_FALSE(admin->token.empty());

  EXPECT_ERRC(setup_->check(*code), not_found);
  EXPECT_ERRC(setup_->complete(*code, "root2", "Second", "a long enough password"), not_found);
}

TEST_F(FirstRun, TheLinkExpiresAfterAnHour) {
  auto code = setup_->begin();
  ASSERT_TRUE(code.has_value());
  clock.advance(service::first_run::valid_for_ms - 1);
  EXPECT_OK(setup_->check(*code));
  clock.advance(1);
  EXPECT_ERRC(setup_->check(*code), not_found);
  EXPECT_ERRC(setup_->complete(*code, "root", "Root", "a long enough password"), not_found);
}

TEST_F(FirstRun, AWrongCodeOrBadFieldsUseNothing) {
  auto code = setup_->begin();
  ASSERT_TRUE(code.has_value());
  EXPECT_ERRC(setup_->check("not-the-code"), not_found);
  EXPECT_ERRC(setup_->complete(*code, "Root!", "Root", "a long enough password"), bad_request);
  EXPECT_ERRC(setup_->complete(*code, "root", "", "a long enough password"), bad_request);
  EXPECT_ERRC(setup_->complete(*code, "root", "Root", "short"), bad_request);
  EXPECT_OK(setup_->complete(*code, "root", "Root", "a long enough password"));
}

TEST_F(FirstRun, NoLinkOnceAnAdminExists) {
  must(writer().call([&](store::database& db, store::event_list&) {
    return service::insert_user(db, "alice", "Alice", fixture_password_hash(), true, clock.now());
  }));
  EXPECT_FALSE(setup_->begin().has_value());
}

TEST_F(FirstRun, AnAdminMadeMeanwhileKillsTheLink) {
  auto code = setup_->begin();
  ASSERT_TRUE(code.has_value());
  must(writer().call([&](store::database& db, store::event_list&) {
    return service::insert_user(db, "alice", "Alice", fixture_password_hash(), true, clock.now());
  }));
  EXPECT_ERRC(setup_->complete(*code, "root", "Root", "a long enough password"), not_found);
}

}  // namespace
}  // namespace peerchat::unit
