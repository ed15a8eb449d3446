// SPDX-License-Identifier: MIT
// Who a message body mentions (service/mentions.hpp): a pure function, no store.
#include "peerchat/service/mentions.hpp"
#include <gtest/gtest.h>

namespace peerchat::unit {
namespace {

using service::find_mentions;

const user_id alice{1}, bob{2}, carol{3}, dot{4};
const std::vector<service::mention_candidate> coaches{{alice, "alice"}, {bob, "bob"}, {carol, "carol"}};

std::vector<user_id> by_alice(std::string_view body, bool manager = false) {
  return find_mentions(body, coaches, alice, manager);
}

TEST(mentions, AUsernameAfterAtIsAMention) {
  EXPECT_EQ(by_alice("@bob can you look?"), std::vector<user_id>{bob});
  EXPECT_EQ(by_alice("thanks @carol"), std::vector<user_id>{carol});
}

TEST(mentions, TrailingPunctuationIsNotPartOfTheName) {
  for (auto body : {"@bob,", "@bob.", "@bob!", "(@bob)", "@bob:", "@bob?", "hi @bob...", "@bob-", "@bob_"})
    EXPECT_EQ(by_alice(body), std::vector<user_id>{bob}) << body;
}

TEST(mentions, CaseDoesNotMatter) { EXPECT_EQ(by_alice("@BoB and @CAROL"), (std::vector<user_id>{bob, carol})); }

TEST(mentions, AnEmailAddressIsNotAMention) {
  EXPECT_TRUE(by_alice("write to x@bob.com").empty());
  EXPECT_TRUE(by_alice("carol@bob").empty());
}

TEST(mentions, OnlyMembersCount) {
  EXPECT_TRUE(by_alice("@dave @nobody @ @@").empty());
  EXPECT_EQ(by_alice("@bobby"), std::vector<user_id>{}) << "a longer name is another name";
}

TEST(mentions, EachMemberOnceInOrderOfFirstMention) {
  EXPECT_EQ(by_alice("@carol @bob @carol @bob"), (std::vector<user_id>{carol, bob}));
}

TEST(mentions, TheSenderIsNeverMentioned) { EXPECT_TRUE(by_alice("note to self @alice").empty()); }

TEST(mentions, AllFromAManagerMentionsEveryOtherMember) {
  EXPECT_EQ(by_alice("@all meeting at 6", true), (std::vector<user_id>{bob, carol}));
  EXPECT_EQ(by_alice("meeting at 6, @ALL.", true), (std::vector<user_id>{bob, carol}));
}

TEST(mentions, AllFromAPlainMemberIsPlainText) {
  EXPECT_TRUE(by_alice("@all meeting at 6", false).empty());
  EXPECT_EQ(find_mentions("@all and @carol", coaches, bob, false), std::vector<user_id>{carol});
}

TEST(mentions, ANameEndingInPunctuationIsFoundWhole) {
  auto members = coaches;
  members.push_back({dot, "bob."});
  EXPECT_EQ(find_mentions("@bob.", members, alice, false), std::vector<user_id>{dot});
  EXPECT_EQ(find_mentions("@bob..", members, alice, false), std::vector<user_id>{dot});
  EXPECT_EQ(find_mentions("@bob,", members, alice, false), std::vector<user_id>{bob});
}

TEST(mentions, NonAsciiBeforeTheAtMakesItAWord) {
  EXPECT_TRUE(by_alice("jos\xc3\xa9@bob").empty());
  EXPECT_EQ(by_alice("\xc2\xab@bob\xc2\xbb"), std::vector<user_id>{}) << "« is a non-ASCII byte: conservative";
}

}  // namespace
}  // namespace peerchat::unit
