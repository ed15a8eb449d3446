// SPDX-License-Identifier: MIT
// Questions and answers and the library of best practices (issue 14, docs/community.md),
// through the real server: asking on send (HTTP and WebSocket) or later, who may accept and
// reopen, the open count and the first-answer times, the lists; who may curate the library,
// its search and tag filter, and that deleting a message removes its text from the library.
// A non-member gets 404 from every route.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class questions_library_test : public coaches_test {
 protected:
  void configure(peerchat::config& c) override {
    c.limits.edit_per_minute = 1e6;  // these tests change many things quickly
    c.limits.edit_burst = 1e6;
    c.limits.search_per_minute = 1e6;
    c.limits.search_burst = 1e6;
  }
  std::string path(std::string const& rest) const { return test_server::api("/groups/" + std::to_string(coaches) + rest); }
  // POST a message; `question` asks it as one. Returns the message event.
  json say(std::string const& by, std::string const& body, bool question = false, std::optional<std::int64_t> reply_to = {}) {
    json req{{"body", body}, {"client_msg_id", "q-" + std::to_string(++n_)}};
    if (question) req["question"] = true;
    if (reply_to) req["reply_to"] = *reply_to;
    auto r = srv.http().post(path("/messages"), req, srv.token(by));
    if (r.status != 201) ADD_FAILURE() << r;
    return r.json();
  }
  http_response accept(std::string const& by, std::int64_t q, std::int64_t answer) {
    return srv.http().post(path("/questions/" + std::to_string(q) + "/accept"), {{"answer_seq", answer}}, srv.token(by));
  }
  http_response reopen(std::string const& by, std::int64_t q) {
    return srv.http().del(path("/questions/" + std::to_string(q) + "/accept"), srv.token(by));
  }
  json questions(std::string const& by, std::string const& query = "state=open") {
    auto r = srv.http().get(path("/questions?" + query), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json();
  }
  std::int64_t open_count(std::string const& by) { return srv.group(by, coaches).value("open_questions", std::int64_t{-1}); }
  // The message at seq as GET /messages shows it.
  json message(std::string const& by, std::int64_t seq) {
    auto r = srv.http().get(path("/messages?before=" + std::to_string(seq + 1) + "&limit=1"), srv.token(by));
    auto list = r.json()["messages"];
    return list.empty() ? json() : list[0];
  }
  http_response save(std::string const& by, std::int64_t seq, std::string const& title, json const& tags) {
    return srv.http().post(path("/library"), {{"seq", seq}, {"title", title}, {"tags", tags}}, srv.token(by));
  }
  json library(std::string const& by, std::string const& query = "") {
    auto r = srv.http().get(path("/library" + (query.empty() ? "" : "?" + query)), srv.token(by));
    EXPECT_STATUS(r, 200);
    return r.json();
  }
  std::vector<std::int64_t> entry_ids(json const& page) {
    std::vector<std::int64_t> out;
    for (auto const& e : page["entries"]) out.push_back(e.value("id", std::int64_t{0}));
    return out;
  }
  json last_event() { return srv.events("alice", coaches).back(); }
  int n_ = 0;
};

TEST_F(questions_library_test, AQuestionSentOverHttpCarriesItsStateAndCountsAsOpen) {
  EXPECT_EQ(open_count("bob"), 0);
  EXPECT_TRUE(srv.group("bob", coaches)["median_first_answer_ms_30d"].is_null());
  auto q = say("bob", "How do you run a retro with 40 people?", true);
  ASSERT_EQ(q["question"], (json{{"state", "open"}})) << q.dump();
  auto plain = say("carol", "Just chatting");
  EXPECT_FALSE(plain.contains("question")) << plain.dump();

  EXPECT_EQ(open_count("carol"), 1);
  // GET /groups carries it too.
  auto all = srv.http().get(test_server::api("/groups"), srv.token("carol")).json();
  ASSERT_EQ(all["groups"].size(), 1u);
  EXPECT_EQ(all["groups"][0].value("open_questions", -1), 1);
  EXPECT_TRUE(all["groups"][0].contains("median_first_answer_ms_30d"));
  // History shows the state; replays carry the same event.
  EXPECT_EQ(message("carol", q["seq"])["question"], (json{{"state", "open"}}));
  EXPECT_FALSE(message("carol", plain["seq"]).contains("question"));
  auto events = srv.events("carol", coaches);
  auto stored = std::find_if(events.begin(), events.end(), [&](json const& e) { return e["seq"] == q["seq"]; });
  ASSERT_NE(stored, events.end());
  EXPECT_EQ(*stored, q);

  auto list = questions("carol");
  ASSERT_EQ(list["questions"].size(), 1u) << list.dump();
  auto const& item = list["questions"][0];
  EXPECT_EQ(item["seq"], q["seq"]);
  EXPECT_EQ(item["body"], "How do you run a retro with 40 people?");
  EXPECT_EQ(item["sender"]["user_id"], srv.id("bob"));
  EXPECT_EQ(item["ts"], q["ts"]);
  EXPECT_EQ(item["answers"], 0);
  EXPECT_EQ(item["state"], "open");
  EXPECT_FALSE(item.contains("accepted_seq"));
  EXPECT_FALSE(item.contains("first_answer_after_ms"));
  EXPECT_TRUE(list["next_cursor"].is_null());
  // A question flag that is not a boolean is refused and stores nothing.
  EXPECT_ERROR(srv.http().post(path("/messages"), {{"body", "x"}, {"client_msg_id", "bad-q"}, {"question", "yes"}},
                               srv.token("bob")),
               400, "bad_request");
  EXPECT_EQ(open_count("carol"), 1);
}

TEST_F(questions_library_test, AQuestionSentOverTheWebSocketIsOneForEveryone) {
  auto ws = srv.connect("bob");
  auto watcher = srv.connect("carol");
  json frame = send_frame(coaches, "ws-q-1", "Anyone used dot voting remotely?");
  frame["question"] = true;
  ASSERT_TRUE(ws->send_json(frame));
  auto seen = read_events(*watcher, coaches, 1, 5s);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["question"], (json{{"state", "open"}})) << seen[0].dump();
  auto ack = ws->read_until([](json const& f) { return f.value("type", "") == "ack"; }, 5s);
  ASSERT_TRUE(ack);
  EXPECT_EQ(open_count("alice"), 1);
  // A bad flag is an error frame, and nothing is stored.
  json bad = send_frame(coaches, "ws-q-2", "x");
  bad["question"] = 1;
  ASSERT_TRUE(ws->send_json(bad));
  auto err = ws->read_until([](json const& f) { return f.value("type", "") == "error"; }, 5s);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->value("code", ""), "bad_request");
  EXPECT_EQ(open_count("alice"), 1);
}

TEST_F(questions_library_test, OnlyTheAuthorMarksAnEarlierMessageAndOnlyOnce) {
  auto m = say("bob", "Is there a template for a team charter?");
  auto mark = [&](std::string const& by, json seq) { return srv.http().post(path("/questions"), {{"seq", seq}}, srv.token(by)); };
  EXPECT_ERROR(mark("carol", m["seq"]), 403, "forbidden");
  EXPECT_ERROR(mark("alice", m["seq"]), 403, "forbidden");  // not even an owner: it is the asker's question
  EXPECT_EQ(open_count("bob"), 0);
  auto r = mark("bob", m["seq"]);
  ASSERT_STATUS(r, 201);
  auto e = r.json();
  EXPECT_EQ(e["kind"], "question_asked");
  EXPECT_EQ(e["target_seq"], m["seq"]);
  EXPECT_EQ(e["user_id"], srv.id("bob"));
  EXPECT_EQ(last_event(), e);
  EXPECT_EQ(open_count("carol"), 1);
  EXPECT_EQ(message("carol", m["seq"])["question"], (json{{"state", "open"}}));
  EXPECT_ERROR(mark("bob", m["seq"]), 409, "conflict");
  // Not a message of this group, a deleted one, a bad shape.
  EXPECT_ERROR(mark("bob", 9999), 400, "bad_request");
  EXPECT_ERROR(mark("bob", e["seq"]), 400, "bad_request");  // an event, not a message
  auto gone = say("bob", "oops");
  ASSERT_STATUS(srv.http().del(path("/messages/" + std::to_string(gone["seq"].get<std::int64_t>())), srv.token("bob")), 204);
  EXPECT_ERROR(mark("bob", gone["seq"]), 400, "bad_request");
  EXPECT_ERROR(mark("bob", "seven"), 400, "bad_request");
  EXPECT_ERROR(srv.http().post(path("/questions"), json::object(), srv.token("bob")), 400, "bad_request");
  EXPECT_EQ(open_count("carol"), 1);
}

TEST_F(questions_library_test, TheAskerOrAnOwnerOrAdminAcceptsAndReopens) {
  auto q = say("bob", "Best icebreaker for a tired team?", true);
  std::int64_t qs = q["seq"];
  auto a1 = say("carol", "Two truths and a lie", false, qs);
  auto a2 = say("alice", "A one-word check-in", false, qs);
  auto unrelated = say("carol", "Not a reply");

  EXPECT_ERROR(accept("carol", qs, a1["seq"]), 403, "forbidden");  // a member who did not ask
  EXPECT_ERROR(accept("bob", qs, unrelated["seq"]), 400, "bad_request");
  EXPECT_ERROR(accept("bob", qs, 9999), 400, "bad_request");
  EXPECT_ERROR(accept("bob", unrelated["seq"], a1["seq"]), 404, "not_found");  // not a question
  EXPECT_ERROR(srv.http().post(path("/questions/" + std::to_string(qs) + "/accept"), json::object(), srv.token("bob")), 400,
               "bad_request");
  EXPECT_EQ(open_count("bob"), 1);

  auto r = accept("bob", qs, a1["seq"]);
  ASSERT_STATUS(r, 200);
  auto e = r.json();
  EXPECT_EQ(e["kind"], "question_answered");
  EXPECT_EQ(e["target_seq"], qs);
  EXPECT_EQ(e["answer_seq"], a1["seq"]);
  EXPECT_EQ(e["user_id"], srv.id("bob"));
  EXPECT_EQ(last_event(), e);
  EXPECT_EQ(open_count("carol"), 0);
  EXPECT_TRUE(questions("carol")["questions"].empty());
  EXPECT_EQ(message("carol", qs)["question"], (json{{"state", "answered"}, {"accepted_seq", a1["seq"]}}));
  auto answered = questions("carol", "state=answered");
  ASSERT_EQ(answered["questions"].size(), 1u);
  EXPECT_EQ(answered["questions"][0]["accepted_seq"], a1["seq"]);
  EXPECT_EQ(answered["questions"][0]["accepted"]["body"], "Two truths and a lie");
  EXPECT_EQ(answered["questions"][0]["accepted"]["sender"]["user_id"], srv.id("carol"));
  EXPECT_EQ(answered["questions"][0]["answers"], 2);
  EXPECT_ERROR(accept("bob", qs, a1["seq"]), 409, "conflict");

  // An owner changes the accepted answer; a member who did not ask may not reopen.
  ASSERT_STATUS(accept("alice", qs, a2["seq"]), 200);
  EXPECT_EQ(message("bob", qs)["question"]["accepted_seq"], a2["seq"]);
  EXPECT_ERROR(reopen("carol", qs), 403, "forbidden");
  auto re = reopen("bob", qs);
  ASSERT_STATUS(re, 200);
  EXPECT_EQ(re.json()["kind"], "question_reopened");
  EXPECT_EQ(re.json()["target_seq"], qs);
  EXPECT_EQ(last_event(), re.json());
  EXPECT_EQ(open_count("carol"), 1);
  EXPECT_EQ(message("carol", qs)["question"], (json{{"state", "open"}}));
  EXPECT_ERROR(reopen("bob", qs), 409, "conflict");

  // An admin may settle it too.
  srv.set_role("alice", coaches, "carol", "admin");
  ASSERT_STATUS(accept("carol", qs, a1["seq"]), 200);
  ASSERT_STATUS(reopen("carol", qs), 200);
  EXPECT_EQ(open_count("alice"), 1);
}

TEST_F(questions_library_test, FirstAnswerTimeCountsOnlyOthersRepliesAndTheMedianFollows) {
  auto q1 = say("bob", "Q1?", true);
  say("bob", "anyone?", false, q1["seq"].get<std::int64_t>());  // the asker's own follow-up is no answer
  auto list = questions("alice");
  ASSERT_EQ(list["questions"].size(), 1u);
  EXPECT_EQ(list["questions"][0]["answers"], 0);
  EXPECT_FALSE(list["questions"][0].contains("first_answer_after_ms"));
  EXPECT_TRUE(srv.group("alice", coaches)["median_first_answer_ms_30d"].is_null());

  auto r1 = say("carol", "A1", false, q1["seq"].get<std::int64_t>());
  say("alice", "A1 too", false, q1["seq"].get<std::int64_t>());
  auto q2 = say("carol", "Q2?", true);
  auto q3 = say("alice", "Q3?", true);
  auto r2 = say("bob", "A2", false, q2["seq"].get<std::int64_t>());
  auto r3 = say("bob", "A3", false, q3["seq"].get<std::int64_t>());
  std::vector<std::int64_t> times{r1["ts"].get<std::int64_t>() - q1["ts"].get<std::int64_t>(),
                                  r2["ts"].get<std::int64_t>() - q2["ts"].get<std::int64_t>(),
                                  r3["ts"].get<std::int64_t>() - q3["ts"].get<std::int64_t>()};
  list = questions("alice");
  ASSERT_EQ(list["questions"].size(), 3u);
  EXPECT_EQ(list["questions"][0]["seq"], q1["seq"]);  // oldest first
  EXPECT_EQ(list["questions"][0]["answers"], 2);
  EXPECT_EQ(list["questions"][0]["first_answer_after_ms"], times[0]);
  EXPECT_EQ(list["questions"][1]["first_answer_after_ms"], times[1]);
  EXPECT_EQ(list["questions"][2]["first_answer_after_ms"], times[2]);
  auto sorted = times;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(srv.group("bob", coaches)["median_first_answer_ms_30d"], sorted[1]);

  // Deleting the first answer: the next answer by someone else becomes the first.
  ASSERT_STATUS(srv.http().del(path("/messages/" + std::to_string(r1["seq"].get<std::int64_t>())), srv.token("carol")), 204);
  list = questions("alice");
  EXPECT_EQ(list["questions"][0]["answers"], 1);
  EXPECT_GE(list["questions"][0]["first_answer_after_ms"].get<std::int64_t>(), times[0]);
}

TEST_F(questions_library_test, OpenQuestionsPageOldestFirstAndDeletedQuestionsLeave) {
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 5; ++i) seqs.push_back(say("bob", "question " + std::to_string(i), true)["seq"]);
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto list = questions("carol", "state=open&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (auto const& q : list["questions"]) seen.push_back(q["seq"]);
    if (list["next_cursor"].is_null()) break;
    cursor = list["next_cursor"];
  }
  EXPECT_EQ(seen, seqs);
  ASSERT_STATUS(srv.http().del(path("/messages/" + std::to_string(seqs[2])), srv.token("alice")), 204);
  EXPECT_EQ(open_count("carol"), 4);
  EXPECT_EQ(questions("carol", "limit=50")["questions"].size(), 4u);
  EXPECT_ERROR(srv.http().get(path("/questions?state=closed"), srv.token("carol")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(path("/questions?limit=0"), srv.token("carol")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(path("/questions?cursor=abc"), srv.token("carol")), 400, "bad_request");
}

TEST_F(questions_library_test, AMemberSavesAndTheLibraryFindsByWordsAndTags) {
  auto m = say("carol", "Timebox every agenda item and appoint a timekeeper");
  auto r = save("bob", m["seq"], "  Meetings that end on time ", {"#Facilitation", "meetings", "facilitation"});
  ASSERT_STATUS(r, 201);
  auto entry = r.json();
  EXPECT_GT(entry.value("id", 0), 0);
  EXPECT_EQ(entry["target_seq"], m["seq"]);
  EXPECT_EQ(entry["title"], "Meetings that end on time");
  EXPECT_EQ(entry["tags"], (json{"facilitation", "meetings"}));
  EXPECT_EQ(entry["body"], "Timebox every agenda item and appoint a timekeeper");
  EXPECT_EQ(entry["sender"]["user_id"], srv.id("carol"));
  EXPECT_EQ(entry["curated_by"]["user_id"], srv.id("bob"));
  EXPECT_GT(entry.value("ts", std::int64_t{0}), 0);
  auto e = last_event();
  EXPECT_EQ(e["kind"], "library_added");
  EXPECT_EQ(e["entry_id"], entry["id"]);
  EXPECT_EQ(e["target_seq"], m["seq"]);
  EXPECT_EQ(e["title"], entry["title"]);
  EXPECT_EQ(e["tags"], entry["tags"]);
  EXPECT_ERROR(save("alice", m["seq"], "Again", json::array()), 409, "conflict");

  auto other = say("alice", "Use a parking lot board for off-topic ideas");
  ASSERT_STATUS(save("carol", other["seq"], "Parking lot", {"meetings"}), 201);

  EXPECT_EQ(library("alice")["entries"].size(), 2u);
  EXPECT_EQ(entry_ids(library("alice", "q=timekeep")), (std::vector<std::int64_t>{entry["id"]}));  // a prefix of the body
  EXPECT_EQ(entry_ids(library("alice", "q=end%20time")), (std::vector<std::int64_t>{entry["id"]}));  // the title
  EXPECT_EQ(entry_ids(library("alice", "q=FACILITATION")), (std::vector<std::int64_t>{entry["id"]}));  // a tag
  EXPECT_TRUE(library("alice", "q=retrospective")["entries"].empty());
  EXPECT_EQ(library("alice", "tag=meetings")["entries"].size(), 2u);
  EXPECT_EQ(entry_ids(library("alice", "tag=%23Facilitation")), (std::vector<std::int64_t>{entry["id"]}));
  EXPECT_EQ(entry_ids(library("alice", "tag=meetings&q=parking")).size(), 1u);
  EXPECT_TRUE(library("alice", "tag=nothing")["entries"].empty());
  // Pages.
  auto first = library("alice", "limit=1");
  ASSERT_EQ(first["entries"].size(), 1u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  auto second = library("alice", "limit=1&cursor=" + first["next_cursor"].get<std::string>());
  ASSERT_EQ(second["entries"].size(), 1u);
  EXPECT_NE(second["entries"][0]["id"], first["entries"][0]["id"]);
  EXPECT_TRUE(second["next_cursor"].is_null());
}

TEST_F(questions_library_test, BadLibraryInputIsRefusedAndStoresNothing) {
  auto m = say("carol", "Some advice");
  EXPECT_ERROR(save("bob", m["seq"], "   ", json::array()), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], repeat("é", 201), json::array()), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], "ok", {"two words"}), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], "ok", {""}), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], "ok", {repeat("x", 33)}), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], "ok", {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}), 400, "bad_request");
  EXPECT_ERROR(save("bob", m["seq"], "ok", {1}), 400, "bad_request");
  EXPECT_ERROR(save("bob", 9999, "ok", json::array()), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(path("/library?limit=101"), srv.token("bob")), 400, "bad_request");
  EXPECT_ERROR(srv.http().get(path("/library?tag=a%20b"), srv.token("bob")), 400, "bad_request");
  EXPECT_TRUE(library("bob")["entries"].empty());
  EXPECT_ERROR(srv.http().patch(path("/library/12345"), {{"title", "x"}}, srv.token("alice")), 404, "not_found");
}

TEST_F(questions_library_test, ItsCuratorOrAnOwnerOrAdminEditsAndRemoves) {
  auto m = say("carol", "Write the decision down before the meeting ends");
  auto entry = save("bob", m["seq"], "Decisions", {"meetings"}).json();
  std::string at = "/library/" + std::to_string(entry["id"].get<std::int64_t>());
  EXPECT_ERROR(srv.http().patch(path(at), {{"title", "Mine now"}}, srv.token("carol")), 403, "forbidden");
  EXPECT_ERROR(srv.http().del(path(at), srv.token("carol")), 403, "forbidden");
  EXPECT_ERROR(srv.http().patch(path(at), json::object(), srv.token("bob")), 400, "bad_request");

  auto r = srv.http().patch(path(at), {{"title", "Decision log"}, {"tags", {"Decisions"}}}, srv.token("bob"));
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json()["title"], "Decision log");
  EXPECT_EQ(r.json()["tags"], (json{"decisions"}));
  auto e = last_event();
  EXPECT_EQ(e["kind"], "library_updated");
  EXPECT_EQ(e["entry_id"], entry["id"]);
  EXPECT_EQ(e["title"], "Decision log");
  EXPECT_EQ(entry_ids(library("carol", "tag=decisions")), (std::vector<std::int64_t>{entry["id"]}));
  EXPECT_TRUE(library("carol", "tag=meetings")["entries"].empty());
  EXPECT_TRUE(library("carol", "q=Decisions%20before")["entries"].size() == 1);

  ASSERT_STATUS(srv.http().patch(path(at), {{"tags", json::array()}}, srv.token("alice")), 200);  // the owner
  srv.set_role("alice", coaches, "carol", "admin");
  ASSERT_STATUS(srv.http().del(path(at), srv.token("carol")), 204);  // an admin
  e = last_event();
  EXPECT_EQ(e["kind"], "library_removed");
  EXPECT_EQ(e["entry_id"], entry["id"]);
  EXPECT_TRUE(library("bob")["entries"].empty());
  EXPECT_ERROR(srv.http().del(path(at), srv.token("alice")), 404, "not_found");
}

TEST_F(questions_library_test, DeletingTheMessageRemovesItsTextFromTheLibrary) {
  auto m = say("carol", "Rotate the facilitator every sprint");
  auto entry = save("bob", m["seq"], "Rotating roles", {"teams"}).json();
  // An edit follows into the library.
  ASSERT_STATUS(srv.http().patch(path("/messages/" + std::to_string(m["seq"].get<std::int64_t>())),
                                 {{"body", "Rotate the facilitator every sprint, and the note-taker"}}, srv.token("carol")),
                200);
  EXPECT_EQ(library("alice")["entries"][0]["body"], "Rotate the facilitator every sprint, and the note-taker");
  EXPECT_EQ(library("alice", "q=note-taker")["entries"].size(), 1u);

  ASSERT_STATUS(srv.http().del(path("/messages/" + std::to_string(m["seq"].get<std::int64_t>())), srv.token("carol")), 204);
  auto page = library("alice");
  ASSERT_EQ(page["entries"].size(), 1u);
  auto const& gone = page["entries"][0];
  EXPECT_TRUE(gone["body"].is_null()) << gone.dump();
  EXPECT_EQ(gone["deleted"], true);
  EXPECT_EQ(gone["title"], "Rotating roles");  // the curator's words stay until removed
  EXPECT_TRUE(library("alice", "q=facilitator")["entries"].empty());
  EXPECT_TRUE(library("alice", "q=sprint")["entries"].empty());
  EXPECT_EQ(page["entries"][0].dump().find("facilitator"), std::string::npos);
  EXPECT_ERROR(save("alice", m["seq"], "Again", json::array()), 400, "bad_request");  // a deleted message cannot be saved
}

TEST_F(questions_library_test, AQuestionIsSavedWithItsAcceptedAnswer) {
  auto q = say("bob", "How do we stop meetings overrunning?", true);
  std::int64_t qs = q["seq"];
  auto a = say("carol", "A visible countdown timer on the shared screen", false, qs);
  ASSERT_STATUS(accept("bob", qs, a["seq"]), 200);
  auto entry = save("alice", qs, "Overrunning meetings", {"meetings"}).json();
  EXPECT_EQ(entry["answer"]["seq"], a["seq"]);
  EXPECT_EQ(entry["answer"]["body"], "A visible countdown timer on the shared screen");
  EXPECT_EQ(entry["answer"]["sender"]["user_id"], srv.id("carol"));
  EXPECT_EQ(library("carol", "q=countdown")["entries"].size(), 1u);  // found by the answer's words
  // Reopening takes the answer off the entry; accepting again puts it back.
  ASSERT_STATUS(reopen("bob", qs), 200);
  EXPECT_FALSE(library("carol")["entries"][0].contains("answer"));
  EXPECT_TRUE(library("carol", "q=countdown")["entries"].empty());
  ASSERT_STATUS(accept("bob", qs, a["seq"]), 200);
  EXPECT_EQ(library("carol", "q=countdown")["entries"].size(), 1u);
  // Deleting the answer removes its text (and reopens the question).
  ASSERT_STATUS(srv.http().del(path("/messages/" + std::to_string(a["seq"].get<std::int64_t>())), srv.token("carol")), 204);
  EXPECT_TRUE(library("carol", "q=countdown")["entries"].empty());
  EXPECT_EQ(library("carol")["entries"][0].dump().find("countdown"), std::string::npos);
  EXPECT_EQ(open_count("bob"), 1);
}

TEST_F(questions_library_test, ANonMemberGetsNotFoundFromEveryRoute) {
  auto q = say("bob", "Private question?", true);
  std::int64_t qs = q["seq"];
  auto a = say("carol", "Private answer", false, qs);
  auto entry = save("bob", qs, "Private", {"x"}).json();
  std::string e = "/library/" + std::to_string(entry["id"].get<std::int64_t>());
  auto dave = srv.token("dave");
  auto http = srv.http();
  EXPECT_ERROR(http.get(path("/questions"), dave), 404, "not_found");
  EXPECT_ERROR(http.get(path("/questions?state=answered"), dave), 404, "not_found");
  EXPECT_ERROR(http.post(path("/questions"), {{"seq", qs}}, dave), 404, "not_found");
  EXPECT_ERROR(http.post(path("/questions/" + std::to_string(qs) + "/accept"), {{"answer_seq", a["seq"]}}, dave), 404,
               "not_found");
  EXPECT_ERROR(http.del(path("/questions/" + std::to_string(qs) + "/accept"), dave), 404, "not_found");
  EXPECT_ERROR(http.get(path("/library"), dave), 404, "not_found");
  EXPECT_ERROR(http.get(path("/library?q=private"), dave), 404, "not_found");
  EXPECT_ERROR(http.post(path("/library"), {{"seq", qs}, {"title", "mine"}}, dave), 404, "not_found");
  EXPECT_ERROR(http.patch(path(e), {{"title", "mine"}}, dave), 404, "not_found");
  EXPECT_ERROR(http.del(path(e), dave), 404, "not_found");
  EXPECT_ERROR(http.get(test_server::api("/groups/987654/questions"), srv.token("bob")), 404, "not_found");
  // Without a session: 401.
  EXPECT_ERROR(http.get(path("/questions")), 401, "unauthorized");
  // Nothing changed.
  EXPECT_EQ(open_count("bob"), 1);
  EXPECT_EQ(library("bob")["entries"][0]["title"], "Private");
  // An entry of another group is not found through this one.
  auto other = srv.create_group("alice", "other");
  EXPECT_ERROR(srv.http().patch(test_server::api("/groups/" + std::to_string(other) + e), {{"title", "x"}}, srv.token("alice")),
               404, "not_found");
}

}  // namespace
}  // namespace peerchat::test
