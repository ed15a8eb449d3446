// SPDX-License-Identifier: MIT
// A live quiz over the real server: twelve players on real WebSockets answer against the
// server's clock; late answers are refused; leaderboards, a reconnect mid-question, a podium.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

constexpr int players = 12;

class quizzes_test : public coaches_test {
 protected:
  void configure(peerchat::config& cfg) override {
    cfg.limits.login_per_minute = 100000;  // sixteen logins from one address
    for (int i = 0; i < players; ++i) srv.create_user(player(i));
  }
  static std::string player(int i) { return "player" + std::to_string(10 + i); }

  http_response post(std::string const& by, std::string const& path, json const& body = json::object()) {
    return srv.http().post(test_server::api(path), body, srv.token(by));
  }
  http_response get(std::string const& by, std::string const& path) {
    return srv.http().get(test_server::api(path), srv.token(by));
  }
  std::string quiz_path(std::int64_t quiz, std::string const& tail = {}) {
    return "/groups/" + std::to_string(coaches) + "/quizzes/" + std::to_string(quiz) + tail;
  }
};

json answer_frame(std::int64_t quiz, int index, std::vector<int> choice) {
  return {{"type", "quiz_answer"}, {"quiz_id", quiz}, {"index", index}, {"choice", choice}};
}

TEST_F(quizzes_test, TwelvePlayersOverWebSocketsToThePodium) {
  for (int i = 0; i < players; ++i) srv.join(player(i), coaches);
  auto created = post("alice", "/groups/" + std::to_string(coaches) + "/quizzes",
                      {{"title", "Workshop warm-up"},
                       {"questions", {{{"text", "2+2?"}, {"options", {"3", "4"}}, {"correct", {1}}, {"seconds", 5}},
                                      {{"text", "Primes?"}, {"options", {"2", "4", "7"}}, {"correct", {0, 2}}, {"seconds", 5}}}}});
  ASSERT_STATUS(created, 201);
  auto quiz = created.json()["id"].get<std::int64_t>();
  EXPECT_STATUS(get("bob", quiz_path(quiz)), 404) << "a draft is its host's only";

  std::vector<std::unique_ptr<ws_client>> ws;
  for (int i = 0; i < players; ++i) ws.push_back(srv.connect(player(i)));
  auto host_ws = srv.connect("alice");

  ASSERT_STATUS(post("alice", quiz_path(quiz, "/start")), 200);

  // Question 0: even players answer right, odd ones wrong; each gets an ack.
  for (int i = 0; i < players; ++i) {
    auto q = ws[i]->read_until(event_kind("quiz_question", coaches), 10s);
    ASSERT_TRUE(q) << player(i) << ": " << ws[i]->error();
    EXPECT_EQ((*q)["index"], 0);
    EXPECT_GT((*q)["remaining_ms"].get<std::int64_t>(), 0);
    ASSERT_TRUE(ws[i]->send_json(answer_frame(quiz, 0, {i % 2 == 0 ? 1 : 0})));
  }
  for (int i = 0; i < players; ++i) {
    auto ack = ws[i]->read_until(frame_type("quiz_answer_ack"), 10s);
    ASSERT_TRUE(ack) << player(i) << ": " << ws[i]->error();
    EXPECT_EQ((*ack)["quiz_id"], quiz);
    EXPECT_EQ((*ack)["choice"], json::array({i % 2 == 0 ? 1 : 0}));
  }
  // A second answer is refused: answers are final.
  ASSERT_TRUE(ws[0]->send_json(answer_frame(quiz, 0, {0})));
  auto again = ws[0]->read_until(frame_type("error"), 10s);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["code"], "conflict");

  // The server closes the question at its deadline, on its own clock.
  for (int i = 0; i < players; ++i) {
    auto closed = ws[i]->read_until(event_kind("quiz_question_closed", coaches), 15s);
    ASSERT_TRUE(closed) << player(i) << ": " << ws[i]->error();
    EXPECT_EQ((*closed)["correct"], json::array({1}));
    EXPECT_EQ((*closed)["counts"], json::array({players / 2, players / 2}));
    auto board = (*closed)["leaderboard"];
    ASSERT_EQ(board.size(), static_cast<std::size_t>(players));
    for (int k = 0; k < players / 2; ++k) EXPECT_GE(board[k]["score"].get<int>(), 500);
    for (int k = players / 2; k < players; ++k) EXPECT_EQ(board[k]["score"], 0);
  }
  // Late: refused with conflict.
  ASSERT_TRUE(ws[1]->send_json(answer_frame(quiz, 0, {1})));
  auto late = ws[1]->read_until(frame_type("error"), 10s);
  ASSERT_TRUE(late);
  EXPECT_EQ((*late)["code"], "conflict");

  EXPECT_STATUS(post("bob", quiz_path(quiz, "/next")), 403);
  ASSERT_STATUS(post("alice", quiz_path(quiz, "/next")), 200);

  // Question 1: everyone answers the exact set; player 0 drops out and reconnects.
  for (int i = 0; i < players; ++i) {
    auto q = ws[i]->read_until(event_kind("quiz_question", coaches), 10s);
    ASSERT_TRUE(q) << player(i);
    EXPECT_EQ((*q)["index"], 1);
    ASSERT_TRUE(ws[i]->send_json(answer_frame(quiz, 1, {2, 0})));
  }
  for (int i = 0; i < players; ++i) ASSERT_TRUE(ws[i]->read_until(frame_type("quiz_answer_ack"), 10s)) << player(i);
  ws[0].reset();
  auto seen = get(player(0), quiz_path(quiz));
  ASSERT_STATUS(seen, 200);
  auto view = seen.json();
  if (view["state"] == "question") {  // (the 5 s could just have run out)
    EXPECT_EQ(view["question"]["index"], 1);
    EXPECT_LE(view["question"]["remaining_ms"].get<std::int64_t>(), 5000);
  }
  ASSERT_EQ(view["my_answers"].size(), 2u);
  EXPECT_EQ(view["my_answers"][1]["choice"], json::array({0, 2}));
  ws[0] = srv.connect(player(0));

  for (int i = 0; i < players; ++i) {
    auto closed = ws[i]->read_until(event_kind("quiz_question_closed", coaches), 15s);
    ASSERT_TRUE(closed) << player(i) << ": " << ws[i]->error();
    EXPECT_EQ((*closed)["counts"], json::array({players, 0, players}));
    if (i == 0) EXPECT_TRUE((*closed)["last"].get<bool>());
  }
  ASSERT_STATUS(post("alice", quiz_path(quiz, "/next")), 200);  // after the last: the podium

  for (int i = 0; i < players; ++i) {
    auto done = ws[i]->read_until(event_kind("quiz_finished", coaches), 10s);
    ASSERT_TRUE(done) << player(i);
    auto board = (*done)["leaderboard"];
    ASSERT_EQ(board.size(), static_cast<std::size_t>(players));
    // The even players got both right: they take the podium.
    for (int k = 0; k < 3; ++k) EXPECT_EQ((board[k]["user_id"].get<std::int64_t>() - srv.id(player(0))) % 2, 0);
    EXPECT_GE(board[0]["score"].get<int>(), board[1]["score"].get<int>());
  }
  auto final_view = get("bob", quiz_path(quiz)).json();
  EXPECT_EQ(final_view["state"], "finished");
  EXPECT_EQ(final_view["leaderboard"].size(), static_cast<std::size_t>(players));
}

TEST_F(quizzes_test, BadAnswersAndStrangersLearnNothing) {
  auto created = post("alice", "/groups/" + std::to_string(coaches) + "/quizzes",
                      {{"title", "T"}, {"questions", {{{"text", "Q"}, {"options", {"a", "b"}}, {"correct", {0}}, {"seconds", 30}}}}});
  ASSERT_STATUS(created, 201);
  auto quiz = created.json()["id"].get<std::int64_t>();
  EXPECT_ERROR(post("alice", "/groups/" + std::to_string(coaches) + "/quizzes",
                    {{"title", "T"}, {"questions", {{{"text", "Q"}, {"options", {"a"}}, {"correct", {0}}, {"seconds", 30}}}}}),
               400, "bad_request");
  ASSERT_STATUS(post("alice", quiz_path(quiz, "/start")), 200);
  EXPECT_ERROR(get("dave", quiz_path(quiz)), 404, "not_found");

  auto dave = srv.connect("dave");
  ASSERT_TRUE(dave->send_json(answer_frame(quiz, 0, {0})));
  auto refused = dave->read_until(frame_type("error"), 10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "not_found");

  auto bob = srv.connect("bob");
  ASSERT_TRUE(bob->send_json({{"type", "quiz_answer"}, {"quiz_id", quiz}, {"index", 0}, {"choice", "a"}}));
  auto bad = bob->read_until(frame_type("error"), 10s);
  ASSERT_TRUE(bad);
  EXPECT_EQ((*bad)["code"], "bad_request");
  ASSERT_TRUE(bob->send_json(answer_frame(quiz, 0, {5})));
  bad = bob->read_until(frame_type("error"), 10s);
  ASSERT_TRUE(bad);
  EXPECT_EQ((*bad)["code"], "bad_request");
  ASSERT_TRUE(bob->send_json(answer_frame(quiz, 0, {0})));
  auto ack = bob->read_until(frame_type("quiz_answer_ack"), 10s);
  ASSERT_TRUE(ack);
  EXPECT_GT((*ack)["remaining_ms"].get<std::int64_t>(), 0);
  ASSERT_STATUS(post("alice", quiz_path(quiz, "/end")), 200);
  auto finished = bob->read_until(event_kind("quiz_finished", coaches), 10s);
  ASSERT_TRUE(finished);
  EXPECT_EQ((*finished)["leaderboard"][0]["user_id"], srv.id("bob"));
}

}  // namespace
}  // namespace peerchat::test
