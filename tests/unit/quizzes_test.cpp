// SPDX-License-Identifier: MIT
// The live quiz's rules on the manual clock: deadlines, late answers, scoring by speed,
// mid-quiz joins, reconnects (GET), a restart, and a host who is gone.
#include "fixture.hpp"
#include "peerchat/service/quizzes.hpp"

namespace peerchat::unit {
namespace {

using service::quiz_draft;
using service::quiz_question_input;

class quizzes_test : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    coaches = create_coaches();
    join(coaches, bob);
    join(coaches, carol);
    quizzes = std::make_unique<service::quizzes>(ctx());
  }
  void TearDown() override {
    quizzes.reset();
    service_fixture::TearDown();
  }

  // Two questions: "2+2" (20 s, one right option) and "primes" (10 s, two right options).
  std::int64_t make_quiz(principal const& host) {
    quiz_draft d{"Warm-up", {quiz_question_input{"2+2?", {"3", "4", "5"}, {1}, 20},
                             quiz_question_input{"Which are prime?", {"2", "4", "7", "9"}, {0, 2}, 10}}};
    return must(quizzes->create(host, coaches, d), "create")["id"].get<std::int64_t>();
  }

  std::vector<json> events_of_kind(std::string const& kind) {
    std::vector<json> out;
    for (auto& e : events_of(coaches, alice))
      if (e["kind"] == kind) out.push_back(e);
    return out;
  }

  group_id coaches{};
  std::unique_ptr<service::quizzes> quizzes;
};

TEST(quiz_score, FasterCorrectAnswersScoreMore) {
  EXPECT_EQ(service::quiz_score(true, 20'000, 20'000), 1000);
  EXPECT_EQ(service::quiz_score(true, 10'000, 20'000), 750);
  EXPECT_EQ(service::quiz_score(true, 1, 20'000), 500);
  EXPECT_EQ(service::quiz_score(true, 333, 1'000), 667);  // round(666.5)
  EXPECT_EQ(service::quiz_score(false, 20'000, 20'000), 0);
}

TEST_F(quizzes_test, ADraftIsVisibleToItsHostOnly) {
  auto id = make_quiz(alice);
  EXPECT_OK(quizzes->view(alice, coaches, id));
  EXPECT_ERRC(quizzes->view(bob, coaches, id), not_found);
  EXPECT_ERRC(quizzes->start(bob, coaches, id), not_found);
  auto bobs_list = must(quizzes->list(bob, coaches, 20, std::nullopt));
  EXPECT_TRUE(bobs_list["quizzes"].empty());
  auto dave = make_person("dave", "Dave Dunn");
  EXPECT_ERRC(quizzes->create(dave, coaches, quiz_draft{"x", {quiz_question_input{"q", {"a", "b"}, {0}, 10}}}), not_found);
  must(quizzes->start(alice, coaches, id));
  EXPECT_OK(quizzes->view(bob, coaches, id));  // once started, every member sees it
  EXPECT_ERRC(quizzes->view(dave, coaches, id), not_found);
}

TEST_F(quizzes_test, DraftsAreValidated) {
  auto bad = [&](quiz_question_input q) { return quizzes->create(alice, coaches, quiz_draft{"t", {std::move(q)}}); };
  EXPECT_ERRC(bad({"q", {"only one"}, {0}, 10}), bad_request);
  EXPECT_ERRC(bad({"q", {"a", "b", "c", "d", "e", "f", "g"}, {0}, 10}), bad_request);
  EXPECT_ERRC(bad({"q", {"a", "b"}, {}, 10}), bad_request);
  EXPECT_ERRC(bad({"q", {"a", "b"}, {2}, 10}), bad_request);
  EXPECT_ERRC(bad({"q", {"a", "b"}, {0}, 4}), bad_request);
  EXPECT_ERRC(bad({"q", {"a", "b"}, {0}, 121}), bad_request);
  EXPECT_ERRC(bad({"   ", {"a", "b"}, {0}, 10}), bad_request);
  EXPECT_ERRC(quizzes->create(alice, coaches, quiz_draft{"t", {}}), bad_request);
  EXPECT_OK(bad({"q", {"a", "b"}, {0, 1}, 120}));
}

TEST_F(quizzes_test, TheQuestionClosesAtItsDeadlineWithCountsAndLeaderboard) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  auto q = events_of_kind("quiz_question");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["remaining_ms"], 20'000);
  EXPECT_EQ(q[0]["deadline_ts"], clock.now() + 20'000);
  EXPECT_FALSE(q[0].contains("correct")) << "the answer must not go out with the question";

  must(quizzes->answer(bob.user, id, 0, {1}));    // right, at once
  clock.advance(10'000);
  must(quizzes->answer(carol.user, id, 0, {2}));  // wrong
  quizzes->tick();
  EXPECT_TRUE(events_of_kind("quiz_question_closed").empty()) << "closed before its deadline";

  clock.advance(10'000);  // the deadline
  quizzes->tick();
  auto closed = events_of_kind("quiz_question_closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["correct"], json::array({1}));
  EXPECT_EQ(closed[0]["counts"], json::array({0, 1, 1}));
  ASSERT_EQ(closed[0]["leaderboard"].size(), 2u);
  EXPECT_EQ(closed[0]["leaderboard"][0]["user_id"], raw(bob.user.id));
  EXPECT_EQ(closed[0]["leaderboard"][0]["score"], 1000);
  EXPECT_EQ(closed[0]["leaderboard"][1]["score"], 0);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_question_closed").size(), 1u) << "closed twice";
}

TEST_F(quizzes_test, ALateAnswerIsRefusedEvenBeforeTheClockRuns) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(20'000);  // exactly at the deadline; tick() has not closed it yet
  EXPECT_ERRC(quizzes->answer(bob.user, id, 0, {1}), conflict);
  quizzes->tick();
  EXPECT_ERRC(quizzes->answer(bob.user, id, 0, {1}), conflict);
  must(quizzes->next(alice, coaches, id));
  EXPECT_ERRC(quizzes->answer(bob.user, id, 0, {1}), conflict) << "an answer to the previous question";
  EXPECT_ERRC(quizzes->answer(alice.user, id, 1, {0, 2}), forbidden) << "the host knows the answers";
  EXPECT_OK(quizzes->answer(bob.user, id, 1, {0, 2}));
}

TEST_F(quizzes_test, ScoringBySpeedAndExactSetsForMultipleChoice) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(5'000);
  must(quizzes->answer(bob.user, id, 0, {1}));  // 15 of 20 s left → 875
  clock.advance(15'000);
  quizzes->tick();
  must(quizzes->next(alice, coaches, id));
  clock.advance(2'000);
  must(quizzes->answer(bob.user, id, 1, {2, 0}));  // exact set, 8 of 10 s left → 900
  must(quizzes->answer(carol.user, id, 1, {0}));   // half the set: wrong
  EXPECT_ERRC(quizzes->answer(carol.user, id, 1, {0, 2}), conflict) << "answers are final";
  EXPECT_ERRC(quizzes->answer(carol.user, id, 1, {4}), bad_request);
  clock.advance(8'000);
  quizzes->tick();
  must(quizzes->next(alice, coaches, id));  // after the last question: the end
  auto finished = events_of_kind("quiz_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["leaderboard"][0]["user_id"], raw(bob.user.id));
  EXPECT_EQ(finished[0]["leaderboard"][0]["score"], 875 + 900);
  EXPECT_EQ(finished[0]["leaderboard"][1]["score"], 0);
  EXPECT_ERRC(quizzes->next(alice, coaches, id), conflict);
}

TEST_F(quizzes_test, TheListSaysWhereTheQuizStartedAndFinishedInTheConversation) {
  auto id = make_quiz(alice);
  auto draft = must(quizzes->list(bob, coaches, 10, std::nullopt))["quizzes"];
  EXPECT_TRUE(draft.empty()) << "a draft is its host's alone";
  must(quizzes->start(alice, coaches, id));
  auto running = must(quizzes->list(bob, coaches, 10, std::nullopt))["quizzes"];
  ASSERT_EQ(running.size(), 1u);
  auto started = events_of_kind("quiz_started");
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(running[0]["started_seq"], started[0]["seq"]);
  EXPECT_TRUE(running[0]["finished_seq"].is_null());
  must(quizzes->end(alice, coaches, id));
  auto done = must(quizzes->list(bob, coaches, 10, std::nullopt))["quizzes"];
  auto finished = events_of_kind("quiz_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(done[0]["finished_seq"], finished[0]["seq"]);
  EXPECT_EQ(done[0]["started_seq"], started[0]["seq"]);
}

TEST_F(quizzes_test, OnlyTheHostOrAManagerMovesOnAndOnlyAfterTheDeadline) {
  auto id = make_quiz(bob);
  must(quizzes->start(bob, coaches, id));
  EXPECT_ERRC(quizzes->next(bob, coaches, id), conflict) << "the question is still open";
  clock.advance(20'000);
  quizzes->tick();
  EXPECT_ERRC(quizzes->next(carol, coaches, id), forbidden);
  EXPECT_OK(quizzes->next(alice, coaches, id));  // the owner may
  EXPECT_ERRC(quizzes->end(carol, coaches, id), forbidden);
  EXPECT_OK(quizzes->end(bob, coaches, id));  // ends with the open question closed first
  EXPECT_EQ(events_of_kind("quiz_question_closed").size(), 2u);
  EXPECT_EQ(events_of_kind("quiz_finished").size(), 1u);
}

TEST_F(quizzes_test, SomeoneWhoJoinsMidwayPlaysFromTheNextQuestion) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(1'000);
  auto dave = make_person("dave", "Dave Dunn");
  join(coaches, dave);
  EXPECT_ERRC(quizzes->answer(dave.user, id, 0, {1}), conflict);
  auto seen = must(quizzes->view(dave, coaches, id));
  EXPECT_EQ(seen["state"], "question");  // but sees where the quiz is
  clock.advance(19'000);
  quizzes->tick();
  must(quizzes->next(alice, coaches, id));
  EXPECT_OK(quizzes->answer(dave.user, id, 1, {0, 2}));
}

TEST_F(quizzes_test, OneWhoReconnectsSeesTheCurrentQuestionAndTheirOwnAnswer) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(4'000);
  must(quizzes->answer(bob.user, id, 0, {1}));
  clock.advance(2'000);
  auto v = must(quizzes->view(bob, coaches, id));
  EXPECT_EQ(v["state"], "question");
  EXPECT_EQ(v["question"]["index"], 0);
  EXPECT_EQ(v["question"]["remaining_ms"], 14'000) << "the time left on the server's clock";
  EXPECT_FALSE(v["question"].contains("correct"));
  EXPECT_FALSE(v.contains("items")) << "only the host sees the answers";
  ASSERT_EQ(v["my_answers"].size(), 1u);
  EXPECT_EQ(v["my_answers"][0]["choice"], json::array({1}));
  EXPECT_FALSE(v["my_answers"][0].contains("score")) << "the verdict waits for the deadline";
  auto carols = must(quizzes->view(carol, coaches, id));
  EXPECT_TRUE(carols["my_answers"].empty()) << "one sees one's own answers only";

  clock.advance(14'000);
  quizzes->tick();
  v = must(quizzes->view(bob, coaches, id));
  EXPECT_EQ(v["state"], "results");
  EXPECT_EQ(v["closed"]["correct"], json::array({1}));
  EXPECT_EQ(v["my_answers"][0]["score"], 900);
  EXPECT_EQ(v["my_score"], 900);
}

TEST_F(quizzes_test, AfterARestartTheRunningQuestionClosesAtItsDeadline) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  must(quizzes->answer(bob.user, id, 0, {1}));
  quizzes.reset();  // the server stops; its memory of the quiz is gone
  clock.advance(60'000);
  quizzes = std::make_unique<service::quizzes>(ctx());  // and starts again
  EXPECT_ERRC(quizzes->answer(carol.user, id, 0, {1}), conflict) << "its deadline passed while the server was down";
  quizzes->tick();
  auto closed = events_of_kind("quiz_question_closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0]["leaderboard"][0]["score"], 1000) << "the answer given before the restart counts";
}

TEST_F(quizzes_test, RestartBeforeTheDeadlineClosesItOnTimeNotEarly) {
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  quizzes.reset();
  clock.advance(5'000);
  quizzes = std::make_unique<service::quizzes>(ctx());
  quizzes->tick();
  EXPECT_TRUE(events_of_kind("quiz_question_closed").empty());
  EXPECT_OK(quizzes->answer(bob.user, id, 0, {1}));
  clock.advance(15'000);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_question_closed").size(), 1u);
}

TEST_F(quizzes_test, AQuizWhoseHostIsGoneMovesOnAfterAPauseAndEndsWhenIdle) {
  bool host_online = false;
  ctx().hooks.is_online = [&](user_id u) { return u == alice.user.id ? host_online : true; };
  service::quiz_timing timing;
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(20'000);
  quizzes->tick();  // closes question 0
  clock.advance(timing.host_gone_pause_ms - 1);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_question").size(), 1u) << "moved on before the pause was over";
  clock.advance(1);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_question").size(), 2u) << "did not move on without its host";
  clock.advance(10'000);
  quizzes->tick();  // closes question 1, the last
  clock.advance(timing.host_gone_pause_ms);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_finished").size(), 1u);
}

TEST_F(quizzes_test, APresentHostIsWaitedForUntilTenIdleMinutesEndTheQuiz) {
  ctx().hooks.is_online = [](user_id) { return true; };
  auto id = make_quiz(alice);
  must(quizzes->start(alice, coaches, id));
  clock.advance(20'000);
  quizzes->tick();
  clock.advance(5 * 60'000);
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_question").size(), 1u) << "moved on while the host was there";
  EXPECT_TRUE(events_of_kind("quiz_finished").empty());
  clock.advance(5 * 60'000);  // ten minutes since the last move (the start)
  quizzes->tick();
  EXPECT_EQ(events_of_kind("quiz_finished").size(), 1u);
  EXPECT_EQ(must(quizzes->view(bob, coaches, id))["state"], "finished");
}

TEST_F(quizzes_test, OneRunningQuizPerGroup) {
  auto first = make_quiz(alice);
  auto second = make_quiz(alice);
  must(quizzes->start(alice, coaches, first));
  EXPECT_ERRC(quizzes->start(alice, coaches, second), conflict);
  EXPECT_ERRC(quizzes->start(alice, coaches, first), conflict);
  must(quizzes->end(alice, coaches, first));
  EXPECT_OK(quizzes->start(alice, coaches, second));
}

}  // namespace
}  // namespace peerchat::unit
