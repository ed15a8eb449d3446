// SPDX-License-Identifier: MIT
// Deleting an account with erase=true erases what the person wrote with the community tools
// too: the notes of the kudos they gave, their polls' questions and options, their quizzes'
// titles, questions and options (their drafts go). Checked in the API, in every event of the
// log, and in the bytes of the data dir's files.
#include "support/data_files.hpp"
#include "support/test_server.hpp"
#include "support/wait.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class community_erasure_test : public coaches_test {
 protected:
  std::string group_path(std::string const& rest) { return test_server::api("/groups/" + std::to_string(coaches) + rest); }
  http_response post(std::string const& by, std::string const& rest, json body = json::object()) {
    return srv.http().post(group_path(rest), body, srv.token(by));
  }
  json get(std::string const& by, std::string const& rest) {
    auto r = srv.http().get(group_path(rest), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json();
  }
};

TEST_F(community_erasure_test, ErasingAnAccountErasesItsKudosNotesPollsAndQuizzes) {
  // Lower case and unusual: found only where Carol wrote it.
  std::string const marker = "zqxcarolcommunity" + std::to_string(::getpid());
  auto bobs = srv.send("bob", coaches, "bob's tip")["seq"].get<std::int64_t>();
  ASSERT_STATUS(post("carol", "/kudos", {{"user_id", srv.id("bob")}, {"note", "thanks " + marker}, {"seq", bobs}}), 201);
  auto poll = post("carol", "/polls", {{"question", marker + " poll?"}, {"options", {marker + " yes", marker + " no"}}});
  ASSERT_STATUS(poll, 201);
  auto poll_id = poll.json()["poll_id"].get<std::int64_t>();
  ASSERT_STATUS(srv.http().request(http::verb::put, group_path("/polls/" + std::to_string(poll_id) + "/vote"),
                                   json{{"options", {0}}}, {srv.token("bob")}),
                200);
  json question{{"text", marker + " question?"}, {"options", {marker + " a", marker + " b"}}, {"correct", {0}}, {"seconds", 60}};
  auto quiz = post("carol", "/quizzes", {{"title", marker + " quiz"}, {"questions", {question}}});
  ASSERT_STATUS(quiz, 201);
  auto quiz_id = quiz.json()["id"].get<std::int64_t>();
  ASSERT_STATUS(post("carol", "/quizzes/" + std::to_string(quiz_id) + "/start"), 200);
  ASSERT_STATUS(post("carol", "/quizzes/" + std::to_string(quiz_id) + "/end"), 200);
  ASSERT_STATUS(post("carol", "/quizzes", {{"title", marker + " draft"}, {"questions", {question}}}), 201);
  ASSERT_FALSE(files_containing(srv.data_dir(), marker).empty()) << "the scan finds nothing even before the delete";

  ASSERT_STATUS(srv.http().del(test_server::api("/admin/users/" + std::to_string(srv.id("carol")) + "?erase=true"),
                               srv.token("alice")),
                204);

  // The API: the kudos stays (Bob was thanked) without its note; the poll keeps its counts.
  auto wall = get("bob", "/kudos");
  ASSERT_EQ(wall["kudos"].size(), 1u) << wall;
  EXPECT_EQ(wall["kudos"][0]["note"], "(erased)");
  auto p = get("bob", "/polls/" + std::to_string(poll_id));
  EXPECT_EQ(p["question"], "(erased)") << p;
  EXPECT_EQ(p.dump().find(marker), std::string::npos) << p;
  EXPECT_EQ(p["options"], json::array({"(erased)", "(erased)"})) << p;
  EXPECT_EQ(p["counts"], json::array({1, 0})) << "Bob's vote stays";
  auto q = get("bob", "/quizzes/" + std::to_string(quiz_id));
  EXPECT_EQ(q["title"], "(erased)") << q;
  EXPECT_EQ(q.dump().find(marker), std::string::npos) << q;
  // The log: every event that carried her text now says it was erased.
  int erased = 0;
  for (auto const& e : srv.events("bob", coaches)) {
    EXPECT_EQ(e.dump().find(marker), std::string::npos) << e;
    if (e.value("erased", false)) ++erased;
  }
  EXPECT_EQ(erased, 5) << "kudos, poll, quiz_started, quiz_question, quiz_finished";
  // The disk: no file of the data dir holds it any more (the WAL is checkpointed in time).
  bool gone = wait_until([&] { return files_containing(srv.data_dir(), marker).empty(); }, 60s, 200ms);
  EXPECT_TRUE(gone) << "still on disk a minute later";
}

TEST_F(community_erasure_test, DeletingWithoutEraseKeepsWhatTheyWrote) {
  ASSERT_STATUS(post("carol", "/kudos", {{"user_id", srv.id("bob")}, {"note", "thanks for the tip"}}), 201);
  ASSERT_STATUS(srv.http().del(test_server::api("/admin/users/" + std::to_string(srv.id("carol"))), srv.token("alice")), 204);
  auto wall = get("bob", "/kudos");
  ASSERT_EQ(wall["kudos"].size(), 1u) << wall;
  EXPECT_EQ(wall["kudos"][0]["note"], "thanks for the tip");
}

}  // namespace
}  // namespace peerchat::test
