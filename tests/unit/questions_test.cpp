// SPDX-License-Identifier: MIT
// Questions and the library on the services with a manual clock: the first-answer time and
// the group's 30-day median (time rules are tested here, not by waiting), and the library's
// title and tag rules.
#include "fixture.hpp"
#include "peerchat/service/library.hpp"
#include "peerchat/service/questions.hpp"

namespace peerchat::unit {
namespace {

constexpr millis_t minute = 60'000;
constexpr millis_t day = 24 * 60 * minute;

class questions_test : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    coaches = create_coaches();
    join(coaches, bob);
    join(coaches, carol);
  }
  service::questions& questions() {
    if (!questions_) questions_ = std::make_unique<service::questions>(ctx());
    return *questions_;
  }
  seq_t ask(principal const& who, std::string body) {
    service::send_request req{coaches, std::move(body), "q-" + std::to_string(++n_), std::nullopt, {}, true};
    return must(messages().send(who.user, std::move(req)), "ask").message.seq;
  }
  seq_t reply(principal const& who, seq_t to, std::string body) {
    service::send_request req{coaches, std::move(body), "r-" + std::to_string(++n_), to, {}};
    return must(messages().send(who.user, std::move(req)), "reply").message.seq;
  }
  std::optional<millis_t> median() {
    return must(groups().get(alice, coaches), "get").summary.median_first_answer_ms_30d;
  }
  void TearDown() override {
    questions_.reset();
    service_fixture::TearDown();
  }
  group_id coaches{};
  std::unique_ptr<service::questions> questions_;
  int n_ = 0;
};

TEST_F(questions_test, FirstAnswerTimeIsTheFirstReplyBySomeoneElse) {
  auto q = ask(bob, "Which retro format for a new team?");
  clock.advance(2 * minute);
  reply(bob, q, "anyone?");  // the asker's own follow-up
  auto page = must(questions().list(alice.user, coaches, false, std::nullopt, 50));
  ASSERT_EQ(page.questions.size(), 1u);
  EXPECT_FALSE(page.questions[0].first_answer_after_ms);
  EXPECT_EQ(page.questions[0].answers, 0);
  clock.advance(3 * minute);
  reply(carol, q, "Start, stop, continue");
  clock.advance(10 * minute);
  reply(alice, q, "Sailboat");
  page = must(questions().list(alice.user, coaches, false, std::nullopt, 50));
  EXPECT_EQ(page.questions[0].first_answer_after_ms, 5 * minute);
  EXPECT_EQ(page.questions[0].answers, 2);
  EXPECT_EQ(median(), 5 * minute);
}

TEST_F(questions_test, TheMedianCoversTheLast30DaysOfAnsweredQuestions) {
  EXPECT_FALSE(median());
  auto q1 = ask(bob, "Q1");
  clock.advance(1 * minute);
  reply(carol, q1, "A1");                 // 1 min
  auto q2 = ask(carol, "Q2");
  clock.advance(4 * minute);
  reply(bob, q2, "A2");                   // 4 min
  ask(alice, "Q3, never answered");       // not in the median
  EXPECT_EQ(median(), (1 * minute + 4 * minute) / 2);  // an even count: the middle two's mean
  clock.advance(20 * day);
  auto q4 = ask(bob, "Q4");
  clock.advance(30 * minute);
  reply(alice, q4, "A4");                 // 30 min
  EXPECT_EQ(median(), 4 * minute);        // 1, 4, 30
  EXPECT_EQ(must(groups().get(alice, coaches)).summary.open_questions, 4);
  // Eleven days on, Q1 and Q2 are older than 30 days: only Q4 counts.
  clock.advance(11 * day);
  EXPECT_EQ(median(), 30 * minute);
  clock.advance(30 * day);
  EXPECT_FALSE(median());
  // GET /groups carries the same.
  auto list = must(groups().list(bob));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].median_first_answer_ms_30d);
  EXPECT_EQ(list[0].open_questions, 4);
}

TEST_F(questions_test, AcceptingAndReopeningMoveTheOpenCount) {
  auto q = ask(bob, "Q");
  auto a = reply(carol, q, "A");
  EXPECT_EQ(must(groups().get(bob, coaches)).summary.open_questions, 1);
  EXPECT_ERRC(questions().accept(carol.user, coaches, q, a), forbidden);
  ASSERT_OK(questions().accept(bob.user, coaches, q, a));
  EXPECT_EQ(must(groups().get(bob, coaches)).summary.open_questions, 0);
  EXPECT_ERRC(questions().reopen(carol.user, coaches, q), forbidden);
  ASSERT_OK(questions().reopen(alice.user, coaches, q));  // the owner
  EXPECT_EQ(must(groups().get(bob, coaches)).summary.open_questions, 1);
  // History shows the state.
  auto page = must(messages().history(carol.user, coaches, std::nullopt, 50));
  auto it = std::find_if(page.begin(), page.end(), [&](auto const& m) { return m.seq == q; });
  ASSERT_NE(it, page.end());
  ASSERT_TRUE(it->question);
  EXPECT_FALSE(it->question->answered);
}

TEST(library_rules, TitlesAndTagsAreCheckedAndNormalised) {
  EXPECT_EQ(*service::check_library_title("  Stand-ups  "), "Stand-ups");
  EXPECT_FALSE(service::check_library_title("   "));
  EXPECT_FALSE(service::check_library_title(std::string(201, 'x')));
  EXPECT_TRUE(service::check_library_title(std::string(200, 'x')));
  EXPECT_FALSE(service::check_library_title("tab\there"));
  EXPECT_EQ(*service::check_library_tag(" #Retro "), "retro");
  EXPECT_EQ(*service::check_library_tag("Équipe"), "Équipe");  // only ASCII letters are lower-cased
  EXPECT_FALSE(service::check_library_tag("two words"));
  EXPECT_FALSE(service::check_library_tag("#"));
  EXPECT_FALSE(service::check_library_tag(std::string(33, 'a')));
  auto tags = service::check_library_tags({"Retro", "#retro", "agile"});
  ASSERT_TRUE(tags);
  EXPECT_EQ(*tags, (std::vector<std::string>{"retro", "agile"}));
  EXPECT_FALSE(service::check_library_tags(std::vector<std::string>(11, "x")));
  EXPECT_FALSE(service::check_library_tag("\xff"));
}

}  // namespace
}  // namespace peerchat::unit
