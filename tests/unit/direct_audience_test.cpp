// SPDX-License-Identifier: MIT
// A direct message buzzes like a mention (docs/accounts.md): the other person hears of it at
// level `mentions` and through quiet hours that allow mentions, the push is marked as a
// mention, and it is named after the sender (a direct conversation has no name).
#include "fixture.hpp"
#include "peerchat/service/direct.hpp"
#include "peerchat/service/notifications.hpp"

namespace peerchat::unit {
namespace {

using service::notify_level;

class direct_audience_test : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    notes_ = std::make_unique<service::notifications>(ctx());
    coaches = create_coaches();
    join(coaches, bob);
    join(coaches, carol);
    conversation = must(service::direct(ctx()).open(bob, carol.user.id), "open").group;
    std::string key = "BA" + std::string(85, 'A');  // base64url of 65 bytes starting 0x04
    must(notes_->subscribe(carol, {"https://push.example.com/carol", key, std::string(22, 'A'), ""}), "subscribe");
  }
  void TearDown() override {
    notes_.reset();
    service_fixture::TearDown();
  }

  group_id coaches{};
  group_id conversation{};
  std::unique_ptr<service::notifications> notes_;
};

TEST_F(direct_audience_test, ADirectMessageCountsAsAMention) {
  must(notes_->set_notify(carol, conversation, notify_level::mentions, std::nullopt));
  auto a = must(notes_->message_audience(conversation, 3, bob.user.id, {}, false, clock.now()));
  ASSERT_EQ(a.recipients.size(), 1u);
  EXPECT_EQ(a.recipients[0].user, carol.user.id);
  EXPECT_TRUE(a.recipients[0].mention);
  EXPECT_EQ(a.group_name, bob.user.display_name) << "named after the sender";
  // The same setting in an ordinary group lets a plain message pass by.
  must(notes_->set_notify(carol, coaches, notify_level::mentions, std::nullopt));
  EXPECT_TRUE(must(notes_->message_audience(coaches, 5, bob.user.id, {}, false, clock.now())).recipients.empty());
}

TEST_F(direct_audience_test, LevelNoneAndTheSenderStayQuiet) {
  EXPECT_TRUE(must(notes_->message_audience(conversation, 3, carol.user.id, {}, false, clock.now())).recipients.empty());
  must(notes_->set_notify(carol, conversation, notify_level::none, std::nullopt));
  EXPECT_TRUE(must(notes_->message_audience(conversation, 3, bob.user.id, {}, false, clock.now())).recipients.empty());
}

}  // namespace
}  // namespace peerchat::unit
