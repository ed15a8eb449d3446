// SPDX-License-Identifier: MIT
// Messages and the group's log: seqs, idempotent sends, limits, replies, edits, deletes that
// erase, reactions, read markers, history and event paging, and search.
#include "fixture.hpp"
#include "peerchat/core/text.hpp"
#include <set>

namespace peerchat::unit {
namespace {

using service::send_request;

class Messages : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    coaches = create_coaches();  // seq 1: alice joined
    join(coaches, bob);          // seq 2
    join(coaches, carol);        // seq 3
  }

  result<service::send_result> send(principal const& who, std::string body, std::string client_msg_id,
                                    std::optional<seq_t> reply_to = std::nullopt) {
    return messages().send(who.user, send_request{coaches, std::move(body), std::move(client_msg_id), reply_to, {}});
  }
  std::optional<message_view> in_history(principal const& who, seq_t seq) {
    for (auto& m : must(messages().history(who.user, coaches, std::nullopt, 200), "history"))
      if (m.seq == seq) return m;
    return std::nullopt;
  }
  std::int64_t unread_of(principal const& who) {
    for (auto const& s : must(groups().list(who), "list"))
      if (s.group.id == coaches) return s.unread;
    throw std::runtime_error("not a member");
  }
  std::vector<seq_t> seqs_of(std::vector<message_view> const& page) {
    std::vector<seq_t> out;
    for (auto const& m : page) out.push_back(m.seq);
    return out;
  }

  group_id coaches{};
};

// ---- send ----------------------------------------------------------------------------------

TEST_F(Messages, SendReturnsTheCommittedMessageEvent) {
  auto sent = send(bob, "  see you at practice  ", "b-1");
  ASSERT_OK(sent);
  EXPECT_TRUE(sent->created);
  EXPECT_EQ(sent->message.group, coaches);
  EXPECT_EQ(sent->message.seq, 4);
  EXPECT_EQ(sent->message.kind, event_kind::message);
  EXPECT_EQ(sent->message.ts, clock.now());
  auto wire = json::parse(*sent->message.wire);
  EXPECT_EQ(wire.at("type"), "event");
  EXPECT_EQ(wire.at("kind"), "message");
  EXPECT_EQ(wire.at("group_id"), raw(coaches));
  EXPECT_EQ(wire.at("seq"), 4);
  EXPECT_EQ(wire.at("ts"), clock.now());
  EXPECT_EQ(wire.at("body"), "see you at practice");  // trimmed
  EXPECT_EQ(wire.at("client_msg_id"), "b-1");
  EXPECT_EQ(wire.at("sender").at("user_id"), raw(bob.user.id));
  EXPECT_EQ(wire.at("sender").at("display_name"), "Bob Brown");
  EXPECT_FALSE(wire.contains("reply_to"));
  // Stored exactly as it was sent.
  EXPECT_EQ(events_of(coaches, alice, 3).at(0), wire);
}

TEST_F(Messages, SendAssignsContiguousSeqs) {
  std::vector<seq_t> seqs;
  for (int i = 0; i < 6; ++i) seqs.push_back(must(send(i % 2 ? bob : carol, "message " + std::to_string(i), "m" + std::to_string(i))).message.seq);
  EXPECT_EQ(seqs, (std::vector<seq_t>{4, 5, 6, 7, 8, 9}));
  auto events = events_of(coaches, alice);
  ASSERT_EQ(events.size(), 9u);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].at("seq"), static_cast<seq_t>(i + 1));
}

TEST_F(Messages, ConcurrentSendsGetContiguousSeqs) {
  messages();  // made before the threads start
  std::vector<std::thread> threads;
  std::vector<principal> senders{alice, bob, carol};
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i)
        EXPECT_OK(messages().send(senders[t].user, {coaches, "hello " + std::to_string(i), "t" + std::to_string(i), std::nullopt}));
    });
  for (auto& t : threads) t.join();
  auto events = events_of(coaches, alice);
  ASSERT_EQ(events.size(), 33u);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].at("seq"), static_cast<seq_t>(i + 1));
  EXPECT_EQ(query_int("SELECT count(*) FROM messages"), 30);
}

TEST_F(Messages, SameClientMsgIdReturnsTheOriginal) {
  auto first = must(send(bob, "only once", "retry-me"));
  clock.advance(60'000);
  auto again = send(bob, "only once", "retry-me");
  ASSERT_OK(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->message.seq, first.message.seq);
  EXPECT_EQ(again->message.ts, first.message.ts);
  EXPECT_EQ(*again->message.wire, *first.message.wire);
  EXPECT_EQ(query_int("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(query_int("SELECT last_seq FROM groups WHERE id = " + id_of(coaches)), first.message.seq);

  // Even with another body, a retry creates nothing.
  auto changed = send(bob, "a different body", "retry-me");
  ASSERT_OK(changed);
  EXPECT_FALSE(changed->created);
  EXPECT_EQ(changed->message.seq, first.message.seq);
}

TEST_F(Messages, ClientMsgIdIsPerSender) {
  auto bobs = must(send(bob, "from bob", "same-id"));
  auto carols = must(send(carol, "from carol", "same-id"));
  EXPECT_TRUE(carols.created);
  EXPECT_NE(carols.message.seq, bobs.message.seq);
}

TEST_F(Messages, ClientMsgIdRules) {
  EXPECT_ERRC(send(bob, "hi", ""), bad_request);
  EXPECT_ERRC(send(bob, "hi", std::string(65, 'c')), bad_request);
  EXPECT_ERRC(send(bob, "hi", "has space"), bad_request);
  EXPECT_ERRC(send(bob, "hi", "caf\xC3\xA9"), bad_request);
  EXPECT_OK(send(bob, "hi", std::string(64, 'c')));
}

TEST_F(Messages, SendIsRateLimitedPerUser) {
  cfg.limits.send_burst = 3;
  cfg.limits.send_per_second = 1;
  for (int i = 0; i < 3; ++i) ASSERT_OK(send(bob, "quick " + std::to_string(i), "q" + std::to_string(i)));
  auto limited = send(bob, "one too many", "q3");
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_GT(limited.error().retry_after_ms, 0);
  EXPECT_LE(limited.error().retry_after_ms, 1000);
  EXPECT_OK(send(carol, "i am not bob", "c0"));  // per user

  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(send(bob, "one too many", "q3"));
  EXPECT_ERRC(send(bob, "and again", "q4"), rate_limited);
}

TEST_F(Messages, BodyLimits) {
  EXPECT_ERRC(send(bob, "", "e1"), bad_request);
  EXPECT_ERRC(send(bob, " \n\t \u3000 ", "e2"), bad_request);  // empty after trimming
  std::string too_long;
  for (int i = 0; i < 8001; ++i) too_long += "\xF0\x9F\x91\x8B";  // 8001 characters
  EXPECT_ERRC(send(bob, too_long, "e3"), bad_request);
  EXPECT_ERRC(send(bob, "bell\x07", "e4"), bad_request);
  EXPECT_ERRC(send(bob, std::string("nul\0byte", 8), "e5b"), bad_request);
  EXPECT_ERRC(send(bob, "escape \x1b[31mred", "e6"), bad_request);
  EXPECT_ERRC(send(bob, "del\x7f", "e7"), bad_request);
  EXPECT_ERRC(send(bob, "marker \x02hi\x03", "e8"), bad_request);  // search highlight markers
  EXPECT_ERRC(send(bob, "bad \xC3\x28 utf8", "e9"), bad_request);
  EXPECT_EQ(query_int("SELECT count(*) FROM messages"), 0);

  std::string longest;
  for (int i = 0; i < 8000; ++i) longest += "\xF0\x9F\x91\x8B";  // 8000 characters, 32000 bytes
  EXPECT_OK(send(bob, longest, "ok1"));
  EXPECT_OK(send(bob, "  " + std::string(8000, 'x') + "  ", "ok2"));  // 8000 after trimming
  EXPECT_OK(send(bob, "line one\n\tline two", "ok3"));
}

TEST_F(Messages, BodyLimitFollowsTheConfig) {
  cfg.limits.message_chars = 10;
  EXPECT_OK(send(bob, "0123456789", "a"));
  EXPECT_ERRC(send(bob, "0123456789x", "b"), bad_request);
}

TEST_F(Messages, SendToAGroupOfOthersIsNotFound) {
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  EXPECT_ERRC(messages().send(bob.user, {runners, "hi", "x1", std::nullopt}), not_found);
  EXPECT_ERRC(messages().send(bob.user, {group_id{9999}, "hi", "x2", std::nullopt}), not_found);
}

// ---- replies --------------------------------------------------------------------------------

TEST_F(Messages, ReplyToMustBeAMessageOfTheGroup) {
  seq_t question = must(send(bob, "who brings the cones?", "q")).message.seq;
  EXPECT_ERRC(send(carol, "me", "r1", 1), bad_request);  // seq 1 is alice's member_joined
  EXPECT_ERRC(send(carol, "me", "r2", 999), bad_request);
  EXPECT_ERRC(send(carol, "me", "r3", 0), bad_request);
  EXPECT_ERRC(send(carol, "me", "r4", -1), bad_request);
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  seq_t elsewhere = must(messages().send(alice.user, {runners, "other group", "o", std::nullopt})).message.seq;
  EXPECT_ERRC(send(alice, "cross-group", "r5", elsewhere), bad_request);  // a message of runners, not of coaches

  auto reply = send(carol, "me", "r6", question);
  ASSERT_OK(reply);
  EXPECT_EQ(json::parse(*reply->message.wire).at("reply_to"), question);
  EXPECT_EQ(in_history(alice, reply->message.seq)->reply_to, std::optional<seq_t>(question));
}

// ---- edit and delete ---------------------------------------------------------------------------

TEST_F(Messages, OnlyTheAuthorEdits) {
  seq_t seq = must(send(bob, "practice at six", "b")).message.seq;
  EXPECT_ERRC(messages().edit(carol.user, coaches, seq, "practice cancelled"), forbidden);
  EXPECT_ERRC(messages().edit(alice.user, coaches, seq, "practice cancelled"), forbidden);  // even the owner

  clock.advance(5000);
  auto edited = messages().edit(bob.user, coaches, seq, " practice at seven ");
  ASSERT_OK(edited);
  auto e = json::parse(*edited->wire);
  EXPECT_EQ(e.at("kind"), "message_edited");
  EXPECT_EQ(e.at("target_seq"), seq);
  EXPECT_EQ(e.at("body"), "practice at seven");
  EXPECT_EQ(edited->seq, seq + 1);

  auto now = in_history(alice, seq);
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->body, std::optional<std::string>("practice at seven"));
  EXPECT_EQ(now->edited_at, std::optional<millis_t>(clock.now()));
}

TEST_F(Messages, EditRules) {
  seq_t seq = must(send(bob, "typo", "b")).message.seq;
  EXPECT_ERRC(messages().edit(bob.user, coaches, seq, "  "), bad_request);
  EXPECT_ERRC(messages().edit(bob.user, coaches, 1, "not a message"), not_found);
  EXPECT_ERRC(messages().edit(bob.user, coaches, 999, "nothing there"), not_found);
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  EXPECT_ERRC(messages().edit(bob.user, runners, seq, "not my group"), not_found);
}

TEST_F(Messages, AuthorOrManagerDeletes) {
  auto dave = make_person("dave", "Dave Davis");
  join(coaches, dave, role::admin);
  seq_t bobs = must(send(bob, "by bob", "b1")).message.seq;
  seq_t carols = must(send(carol, "by carol", "c1")).message.seq;
  seq_t carols2 = must(send(carol, "by carol again", "c2")).message.seq;
  seq_t bobs2 = must(send(bob, "by bob again", "b2")).message.seq;

  EXPECT_ERRC(messages().remove(carol.user, coaches, bobs), forbidden);  // a member, not the author
  EXPECT_OK(messages().remove(bob.user, coaches, bobs));                 // the author
  EXPECT_OK(messages().remove(alice.user, coaches, carols));             // the owner
  EXPECT_OK(messages().remove(dave.user, coaches, carols2));             // an admin
  EXPECT_ERRC(messages().remove(bob.user, coaches, bobs), not_found);  // already gone
  EXPECT_TRUE(in_history(alice, bobs2)->body.has_value());
}

TEST_F(Messages, DeleteErasesTheBodyEverywhere) {
  seq_t seq = must(send(bob, "the secret password is swordfish", "s")).message.seq;
  ASSERT_OK(messages().edit(bob.user, coaches, seq, "the secret password is marlin"));
  ASSERT_OK(messages().edit(bob.user, coaches, seq, "the secret password is halibut"));
  ASSERT_OK(messages().react(alice.user, coaches, seq, "👀", true));
  seq_t other = must(send(carol, "swordfish is a fine fish", "c")).message.seq;

  auto deleted = messages().remove(bob.user, coaches, seq);
  ASSERT_OK(deleted);
  auto d = json::parse(*deleted->wire);
  EXPECT_EQ(d.at("kind"), "message_deleted");
  EXPECT_EQ(d.at("target_seq"), seq);
  EXPECT_FALSE(d.contains("body"));

  // The messages table: body gone, marked deleted.
  EXPECT_EQ(query_rows("SELECT body, deleted FROM messages WHERE seq = " + std::to_string(seq)),
            (std::vector<std::vector<std::string>>{{"<null>", "1"}}));
  // The events table: the message and both edits carry deleted:true and no body.
  auto rows = query_rows("SELECT kind, data FROM events WHERE group_id = " + id_of(coaches) +
                         " AND (seq = " + std::to_string(seq) + " OR target_seq = " + std::to_string(seq) + ") ORDER BY seq");
  int erased = 0;
  for (auto const& row : rows) {
    auto data = json::parse(row[1]);
    EXPECT_FALSE(data.contains("body")) << row[1];
    if (row[0] == "message" || row[0] == "message_edited") {
      EXPECT_EQ(data.value("deleted", false), true) << row[1];
      ++erased;
    }
  }
  EXPECT_EQ(erased, 3);
  // No event row anywhere holds any version of the body.
  for (auto word : {"swordfish", "marlin", "halibut"})
    EXPECT_EQ(query_int("SELECT count(*) FROM events WHERE instr(data, '" + std::string(word) + "') > 0 AND seq <> " +
                        std::to_string(other)),
              0)
        << word;
  // Nor the search index.
  for (auto word : {"marlin", "halibut", "password", "secret"})
    EXPECT_TRUE(must(messages().search(alice.user, word, std::nullopt, 10)).empty()) << word;
  EXPECT_EQ(query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'halibut OR marlin OR secret'"), 0);
  auto fish = must(messages().search(alice.user, "swordfish", std::nullopt, 10));
  ASSERT_EQ(fish.size(), 1u);  // only carol's message still matches
  EXPECT_EQ(fish[0].seq, other);
  // The external-content index still agrees with the messages table.
  EXPECT_NO_THROW(exec("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"));

  // History and the log show the deletion; reactions went with it.
  auto gone = in_history(alice, seq);
  ASSERT_TRUE(gone.has_value());
  EXPECT_FALSE(gone->body.has_value());
  EXPECT_TRUE(gone->reactions.empty());
  EXPECT_EQ(query_int("SELECT count(*) FROM reactions WHERE message_seq = " + std::to_string(seq)), 0);
  for (auto const& e : events_of(coaches, carol)) EXPECT_FALSE(e.dump().find("halibut") != std::string::npos);
}

TEST_F(Messages, ARetryOfADeletedMessageCreatesNothingAndRevealsNothing) {
  seq_t seq = must(send(bob, "oops, wrong group", "oops")).message.seq;
  ASSERT_OK(messages().remove(bob.user, coaches, seq));
  auto retry = send(bob, "oops, wrong group", "oops");
  ASSERT_OK(retry);
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->message.seq, seq);
  EXPECT_EQ(retry->message.wire->find("wrong group"), std::string::npos) << *retry->message.wire;
}

// ---- reactions --------------------------------------------------------------------------------

TEST_F(Messages, ReactionsAddAndRemoveIdempotently) {
  seq_t seq = must(send(bob, "we won!", "w")).message.seq;

  auto added = messages().react(carol.user, coaches, seq, "🎉", true);
  ASSERT_OK(added);
  ASSERT_TRUE(added->has_value());
  auto e = json::parse(*(*added)->wire);
  EXPECT_EQ(e.at("kind"), "reaction_added");
  EXPECT_EQ(e.at("target_seq"), seq);
  EXPECT_EQ(e.at("user_id"), raw(carol.user.id));
  EXPECT_EQ(e.at("emoji"), "🎉");

  auto again = messages().react(carol.user, coaches, seq, "🎉", true);
  ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());  // nothing changed, no event
  clock.advance(1000);  // reactions are listed in the order they were made
  ASSERT_OK(messages().react(alice.user, coaches, seq, "🎉", true));
  ASSERT_OK(messages().react(carol.user, coaches, seq, "👍", true));

  auto view = in_history(bob, seq);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->reactions.at("🎉"), (std::vector<std::int64_t>{raw(carol.user.id), raw(alice.user.id)}));
  EXPECT_EQ(view->reactions.at("👍"), (std::vector<std::int64_t>{raw(carol.user.id)}));

  auto removed = messages().react(carol.user, coaches, seq, "🎉", false);
  ASSERT_OK(removed);
  ASSERT_TRUE(removed->has_value());
  EXPECT_EQ(json::parse(*(*removed)->wire).at("kind"), "reaction_removed");
  auto removed_again = messages().react(carol.user, coaches, seq, "🎉", false);
  ASSERT_OK(removed_again);
  EXPECT_FALSE(removed_again->has_value());
  EXPECT_EQ(in_history(bob, seq)->reactions.at("🎉"), (std::vector<std::int64_t>{raw(alice.user.id)}));
}

TEST_F(Messages, ReactionRules) {
  seq_t seq = must(send(bob, "we won!", "w")).message.seq;
  EXPECT_ERRC(messages().react(carol.user, coaches, seq, "", true), bad_request);
  EXPECT_ERRC(messages().react(carol.user, coaches, seq, "a b", true), bad_request);
  EXPECT_ERRC(messages().react(carol.user, coaches, seq, std::string(17, 'x'), true), bad_request);
  EXPECT_ERRC(messages().react(carol.user, coaches, 1, "🎉", true), not_found);  // not a message
  EXPECT_ERRC(messages().react(carol.user, coaches, 999, "🎉", true), not_found);
  auto outsider = make_person("dave", "Dave Davis");
  EXPECT_ERRC(messages().react(outsider.user, coaches, seq, "🎉", true), not_found);
  ASSERT_OK(messages().remove(bob.user, coaches, seq));
  EXPECT_ERRC(messages().react(carol.user, coaches, seq, "🎉", true), not_found);  // deleted
}

// Issue 10, item 11: reactions took any text ("constructor" broke the web client).
TEST_F(Messages, AReactionIsOneEmoji) {
  seq_t seq = must(send(bob, "we won!", "w")).message.seq;
  for (std::string bad : {"LGTM!!", "constructor", "__proto__", "a", "👍👍", "👍 ", "1", "🏽", "🇫"})
    EXPECT_ERRC(messages().react(carol.user, coaches, seq, bad, true), bad_request) << bad;
  for (std::string good : {"👍", "❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣"}) {
    ASSERT_OK(messages().react(carol.user, coaches, seq, good, true)) << good;
    EXPECT_EQ(in_history(bob, seq)->reactions.count(good), 1u) << good;
  }
}

// ---- budgets of client work (issue 10, item 8) --------------------------------------------------

TEST_F(Messages, EditsAndDeletesAreBudgetedPerUser) {
  cfg.limits.edit_burst = 3;
  cfg.limits.edit_per_minute = 6;  // one every 10 s
  seq_t seq = must(send(bob, "first draft", "d")).message.seq;
  for (int i = 0; i < 3; ++i) ASSERT_OK(messages().edit(bob.user, coaches, seq, "draft " + std::to_string(i)));
  auto limited = messages().edit(bob.user, coaches, seq, "one edit too many");
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_NEAR(static_cast<double>(limited.error().retry_after_ms), 10'000, 1);
  EXPECT_ERRC(messages().remove(bob.user, coaches, seq), rate_limited);  // the same budget
  seq_t carols = must(send(carol, "mine", "c")).message.seq;
  EXPECT_OK(messages().edit(carol.user, coaches, carols, "carol has her own budget"));
  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(messages().edit(bob.user, coaches, seq, "final"));
}

TEST_F(Messages, ReactionsAreBudgetedPerUser) {
  cfg.limits.react_burst = 4;
  cfg.limits.react_per_minute = 60;
  seq_t seq = must(send(bob, "react to me", "r")).message.seq;
  for (int i = 0; i < 2; ++i) {  // add and remove: both spend
    ASSERT_OK(messages().react(carol.user, coaches, seq, "👍", true));
    ASSERT_OK(messages().react(carol.user, coaches, seq, "👍", false));
  }
  auto limited = messages().react(carol.user, coaches, seq, "🎉", true);
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_NEAR(static_cast<double>(limited.error().retry_after_ms), 1'000, 1);
  EXPECT_OK(messages().react(bob.user, coaches, seq, "🎉", true));
  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(messages().react(carol.user, coaches, seq, "🎉", true));
}

TEST_F(Messages, SearchesAreBudgetedPerUser) {
  cfg.limits.search_burst = 5;
  cfg.limits.search_per_minute = 30;  // one every 2 s
  ASSERT_OK(send(bob, "practice on saturday", "p"));
  for (int i = 0; i < 5; ++i) ASSERT_OK(messages().search(carol.user, "practice", std::nullopt, 10)) << i;
  auto limited = messages().search(carol.user, "practice", std::nullopt, 10);
  ASSERT_ERRC(limited, rate_limited);
  EXPECT_NEAR(static_cast<double>(limited.error().retry_after_ms), 2'000, 1);
  EXPECT_OK(messages().search(bob.user, "practice", std::nullopt, 10));
  // A malformed query is refused for free: it costs the server nothing.
  EXPECT_ERRC(messages().search(carol.user, "", std::nullopt, 10), bad_request);
  clock.advance(limited.error().retry_after_ms);
  EXPECT_OK(messages().search(carol.user, "practice", std::nullopt, 10));
}

TEST_F(Messages, TheDefaultBudgetsLeaveRoomForABusyMinute) {
  seq_t seq = must(send(bob, "busy minute", "b")).message.seq;
  for (int i = 0; i < 10; ++i) ASSERT_OK(messages().edit(bob.user, coaches, seq, "edit " + std::to_string(i))) << i;
  for (std::string e : {"👍", "❤️", "😂", "🎉", "👀", "🙏"}) ASSERT_OK(messages().react(carol.user, coaches, seq, e, true)) << e;
  for (int i = 0; i < 15; ++i) ASSERT_OK(messages().search(carol.user, "busy", std::nullopt, 10)) << i;
}

// ---- read markers and unread ------------------------------------------------------------------

TEST_F(Messages, MarkReadNeverMovesBackAndCapsAtLastSeq) {
  seq_t a = say(alice, coaches, "one");
  seq_t b = say(alice, coaches, "two");
  EXPECT_EQ(must(messages().mark_read(bob.user, coaches, b)), b);
  EXPECT_EQ(must(messages().mark_read(bob.user, coaches, a)), b);  // not back
  EXPECT_EQ(must(messages().mark_read(bob.user, coaches, 0)), b);
  EXPECT_EQ(must(messages().mark_read(bob.user, coaches, b + 1000)), b);  // capped at last_seq
  EXPECT_ERRC(messages().mark_read(bob.user, coaches, -1), bad_request);
  seq_t c = say(alice, coaches, "three");
  EXPECT_EQ(must(messages().mark_read(bob.user, coaches, c)), c);
  EXPECT_EQ(query_int("SELECT last_read_seq FROM memberships WHERE user_id = " + id_of(bob)), c);
}

TEST_F(Messages, UnreadCountsOthersLiveMessagesPastTheMarker) {
  say(alice, coaches, "one");
  seq_t two = say(alice, coaches, "two");
  say(bob, coaches, "bob's own");
  seq_t three = say(carol, coaches, "three");
  EXPECT_EQ(unread_of(bob), 3);
  EXPECT_EQ(unread_of(alice), 2);  // bob's and carol's

  ASSERT_OK(messages().mark_read(bob.user, coaches, two));
  EXPECT_EQ(unread_of(bob), 1);
  ASSERT_OK(messages().remove(carol.user, coaches, three));
  EXPECT_EQ(unread_of(bob), 0);  // a deleted message is not unread
  ASSERT_OK(messages().react(carol.user, coaches, two, "👍", true));
  EXPECT_EQ(unread_of(bob), 0);  // nor is a reaction
  say(alice, coaches, "four");
  EXPECT_EQ(unread_of(bob), 1);
}

// A member back from a long absence: the count stops at 1000 ("1000 or more", docs/api.md), so
// what each connect costs does not grow with the backlog.
TEST_F(Messages, UnreadStopsCountingAtAThousand) {
  say(alice, coaches, "one");
  // A backlog of 1 004 more of alice's messages, written as the store holds them.
  exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1004) "
       "INSERT INTO messages (group_id, seq, sender_id, client_msg_id, body, created_at) "
       "SELECT " + id_of(coaches) + ", 4 + i, " + id_of(alice) + ", 'backlog-' || i, 'old news', 0 FROM n");
  exec("UPDATE groups SET last_seq = 4 + 1004 WHERE id = " + id_of(coaches));
  EXPECT_EQ(unread_of(bob), 1000);
  ASSERT_OK(messages().mark_read(bob.user, coaches, 4 + 10));
  EXPECT_EQ(unread_of(bob), 994);  // exact again below the cap
  ASSERT_OK(messages().mark_read(bob.user, coaches, 4 + 900));
  EXPECT_EQ(unread_of(bob), 104);
}

// ---- history and events --------------------------------------------------------------------

TEST_F(Messages, HistoryPagesNewestFirst) {
  std::vector<seq_t> sent;
  for (int i = 0; i < 7; ++i) sent.push_back(say(i % 2 ? bob : alice, coaches, "message " + std::to_string(i)));
  // sent = 4..10

  auto page1 = must(messages().history(carol.user, coaches, std::nullopt, 3));
  EXPECT_EQ(seqs_of(page1), (std::vector<seq_t>{10, 9, 8}));
  EXPECT_EQ(page1[0].body, std::optional<std::string>("message 6"));
  EXPECT_EQ(page1[0].sender, alice.user.id);
  EXPECT_EQ(page1[0].sender_display_name, "Alice Adams");
  EXPECT_EQ(page1[1].sender_display_name, "Bob Brown");
  auto page2 = must(messages().history(carol.user, coaches, page1.back().seq, 3));
  EXPECT_EQ(seqs_of(page2), (std::vector<seq_t>{7, 6, 5}));
  auto page3 = must(messages().history(carol.user, coaches, page2.back().seq, 3));
  EXPECT_EQ(seqs_of(page3), (std::vector<seq_t>{4}));  // only messages, not membership events
  EXPECT_TRUE(must(messages().history(carol.user, coaches, page3.back().seq, 3)).empty());
  EXPECT_EQ(seqs_of(must(messages().history(carol.user, coaches, 6, 200))), (std::vector<seq_t>{5, 4}));

  EXPECT_ERRC(messages().history(carol.user, coaches, std::nullopt, 0), bad_request);
  EXPECT_ERRC(messages().history(carol.user, coaches, std::nullopt, 201), bad_request);
  EXPECT_OK(messages().history(carol.user, coaches, std::nullopt, 200));
}

TEST_F(Messages, EventsAfterPagesOldestFirstWithLastSeq) {
  for (int i = 0; i < 5; ++i) say(bob, coaches, "m" + std::to_string(i));  // seqs 4..8
  auto page = messages().events_after(carol.user, coaches, 0, 3);
  ASSERT_OK(page);
  EXPECT_EQ(page->last_seq, 8);
  ASSERT_EQ(page->events.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    // Each stored event comes with its seq, typed, and the same seq inside its JSON.
    EXPECT_EQ(page->events[i].seq, i + 1);
    EXPECT_EQ(json::parse(page->events[i].wire).at("seq"), i + 1);
  }

  auto rest = must(messages().events_after(carol.user, coaches, 3, 1000));
  ASSERT_EQ(rest.events.size(), 5u);
  EXPECT_EQ(rest.events.front().seq, 4);
  EXPECT_EQ(json::parse(rest.events.front().wire).at("seq"), 4);
  EXPECT_EQ(rest.events.back().seq, 8);
  EXPECT_EQ(json::parse(rest.events.back().wire).at("seq"), 8);
  EXPECT_EQ(json::parse(rest.events.back().wire).at("body"), "m4");

  auto none = must(messages().events_after(carol.user, coaches, 8, 10));
  EXPECT_TRUE(none.events.empty());
  EXPECT_EQ(none.last_seq, 8);

  EXPECT_ERRC(messages().events_after(carol.user, coaches, 0, 0), bad_request);
  EXPECT_ERRC(messages().events_after(carol.user, coaches, 0, 1001), bad_request);
}

// ---- search ---------------------------------------------------------------------------------

TEST_F(Messages, SearchFindsWordsByPrefixWithHighlights) {
  seq_t fox = say(bob, coaches, "The quick brown fox jumps over the lazy dog");
  say(carol, coaches, "Practice is cancelled today");

  auto hits = messages().search(alice.user, "qui", std::nullopt, 10);
  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 1u);
  auto const& hit = (*hits)[0];
  EXPECT_EQ(hit.group, coaches);
  EXPECT_EQ(hit.seq, fox);
  EXPECT_EQ(hit.sender, bob.user.id);
  EXPECT_EQ(hit.sender_display_name, "Bob Brown");
  EXPECT_NE(hit.snippet.find("\x02quick\x03"), std::string::npos) << hit.snippet;

  // Every word is required; case does not matter.
  EXPECT_EQ(must(messages().search(alice.user, "BROWN do", std::nullopt, 10)).size(), 1u);
  EXPECT_TRUE(must(messages().search(alice.user, "brown cancelled", std::nullopt, 10)).empty());
  EXPECT_EQ(must(messages().search(alice.user, "cancel", std::nullopt, 10)).size(), 1u);
}

// A message edited or deleted before it is indexed (migration 0002, deferred_indexer) is
// indexed with its final body only, and an edit after that replaces what the index holds.
TEST_F(Messages, SearchIndexFollowsEditsAndDeletesInTheBatchThatCreatedTheMessage) {
  messages();  // registers the indexing step with the writer
  std::string g = id_of(coaches), b = id_of(bob);
  auto insert = [&](int seq, std::string const& body) {
    return "INSERT INTO messages (group_id, seq, sender_id, client_msg_id, body, created_at) VALUES (" + g + ", " +
           std::to_string(seq) + ", " + b + ", 'batch-" + std::to_string(seq) + "', '" + body + "', 0);";
  };
  exec(insert(1001, "pending walrus") + "UPDATE messages SET body = 'edited narwhal' WHERE seq = 1001;" +
       insert(1002, "doomed octopus") + "UPDATE messages SET body = NULL, deleted = 1 WHERE seq = 1002;");
  EXPECT_TRUE(must(messages().search(alice.user, "walrus", std::nullopt, 10)).empty());
  EXPECT_TRUE(must(messages().search(alice.user, "octopus", std::nullopt, 10)).empty());
  auto hits = must(messages().search(alice.user, "narwhal", std::nullopt, 10));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].seq, 1001);
  EXPECT_EQ(query_int("SELECT count(*) FROM fts_pending"), 0);

  exec("UPDATE messages SET body = 'edited again: beluga' WHERE seq = 1001");
  EXPECT_TRUE(must(messages().search(alice.user, "narwhal", std::nullopt, 10)).empty());
  EXPECT_EQ(must(messages().search(alice.user, "beluga", std::nullopt, 10)).size(), 1u);
  EXPECT_NO_THROW(exec("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"));
}

// At light load a new message waits in fts_pending instead of costing an index segment in its
// own commit (deferred_indexer): the writer indexes in bulk once 256 wait or the first has
// waited a second, and a search first indexes what waits, so it never misses a message.
TEST_F(Messages, NewMessagesAreIndexedInBulkAndSearchNeverMissesOne) {
  auto pending = [&] { return query_int("SELECT count(*) FROM fts_pending"); };
  auto indexed = [&](std::string const& words) {
    return query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '" + words + "'");
  };
  must(send(bob, "a pelican on the pier", "p-1"));
  EXPECT_EQ(pending(), 1);
  EXPECT_EQ(indexed("pelican"), 0);
  clock.advance(999);
  must(send(carol, "a heron", "h-1"));
  EXPECT_EQ(pending(), 2);  // the first has waited 999 ms
  clock.advance(1);
  must(send(carol, "a gannet", "g-1"));
  EXPECT_EQ(pending(), 0);  // it has waited a second: all three went in with this commit
  EXPECT_EQ(indexed("pelican OR heron OR gannet"), 3);

  // 256 waiting messages are indexed at once, however young.
  exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 255) "
       "INSERT INTO messages (group_id, seq, sender_id, client_msg_id, body, created_at) "
       "SELECT " + id_of(coaches) + ", 1000 + i, " + id_of(bob) + ", 'bulk-' || i, 'walrus number ' || i, 0 FROM n");
  EXPECT_EQ(pending(), 255);
  must(send(bob, "one more walrus", "w-256"));
  EXPECT_EQ(pending(), 0);
  EXPECT_EQ(indexed("walrus"), 256);

  // A search right after a send finds it: the search indexes what waits first.
  must(send(bob, "a cormorant dries its wings", "c-1"));
  EXPECT_EQ(pending(), 1);
  auto hits = must(messages().search(alice.user, "cormorant", std::nullopt, 10));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].sender, bob.user.id);
  EXPECT_EQ(pending(), 0);
  EXPECT_NO_THROW(exec("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"));
}

TEST_F(Messages, SearchIgnoresDiacriticsAndQuotes) {
  seq_t cafe = say(bob, coaches, "Meet at the café");
  auto hits = must(messages().search(alice.user, "cafe", std::nullopt, 10));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].seq, cafe);
  // Query syntax in what a person types is only text.
  EXPECT_OK(messages().search(alice.user, "\"café", std::nullopt, 10));
  EXPECT_OK(messages().search(alice.user, "café OR NOT (meet", std::nullopt, 10));
  EXPECT_OK(messages().search(alice.user, "meet*", std::nullopt, 10));
  EXPECT_OK(messages().search(alice.user, "!!! ???", std::nullopt, 10));
  EXPECT_OK(messages().search(alice.user, "body:meet", std::nullopt, 10));
}

TEST_F(Messages, SearchSeesOnlyTheCallersGroups) {
  auto runners = must(groups().create(alice, "runners", "")).group.id;
  join(runners, carol);
  say(bob, coaches, "marathon training plan");
  seq_t theirs = must(messages().send(carol.user, {runners, "marathon route", "r", std::nullopt})).message.seq;

  EXPECT_EQ(must(messages().search(alice.user, "marathon", std::nullopt, 10)).size(), 2u);
  auto bobs = must(messages().search(bob.user, "marathon", std::nullopt, 10));
  ASSERT_EQ(bobs.size(), 1u);
  EXPECT_EQ(bobs[0].group, coaches);
  EXPECT_TRUE(must(messages().search(bob.user, "marathon", runners, 10)).empty());  // not his group

  auto filtered = must(messages().search(carol.user, "marathon", runners, 10));
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0].seq, theirs);

  // A member who leaves stops finding the group's messages.
  ASSERT_OK(groups().remove_member(carol, runners, carol.user.id));
  EXPECT_EQ(must(messages().search(carol.user, "marathon", std::nullopt, 10)).size(), 1u);
}

TEST_F(Messages, SearchFindsTheEditedTextOnly) {
  seq_t seq = say(bob, coaches, "practice on monday");
  ASSERT_OK(messages().edit(bob.user, coaches, seq, "practice on tuesday"));
  EXPECT_TRUE(must(messages().search(alice.user, "monday", std::nullopt, 10)).empty());
  EXPECT_EQ(must(messages().search(alice.user, "tuesday", std::nullopt, 10)).size(), 1u);
}

TEST_F(Messages, SearchSnippetsAreValidUtf8) {
  // Snippets are cut from long bodies and go out as JSON strings: a cut through a multi-byte
  // character would make the answer unserializable.
  std::string body;
  for (int i = 0; i < 200; ++i) body += "日本語の練習 👋🏽 Grüße ça-va " + std::to_string(i) + " ";
  body += "needle 🎯 at the very end";
  say(bob, coaches, body);
  say(bob, coaches, "needle👋🏽glued, then 日本needle日本 and «needle»");
  auto hits = must(messages().search(alice.user, "needle", std::nullopt, 10));
  ASSERT_EQ(hits.size(), 2u);
  for (auto const& hit : hits) {
    EXPECT_TRUE(text::valid_utf8(hit.snippet)) << testing::PrintToString(hit.snippet);
    EXPECT_NE(hit.snippet.find("\x02"), std::string::npos) << hit.snippet;
    EXPECT_LT(hit.snippet.size(), body.size());
  }
}

TEST_F(Messages, SearchWithANulByteAnswersInsteadOfThrowing) {
  // GET /search?q=hel%00lo reaches the service with a NUL inside a word: the FTS5 query
  // built from it must not blow up in SQLite (the HTTP layer would turn that into a 500).
  say(bob, coaches, "hello");
  for (std::string q : {std::string("hel\0lo", 6), std::string(1, '\0'), std::string("hello \0", 7)}) {
    std::optional<result<std::vector<search_hit>>> r;
    EXPECT_NO_THROW(r = messages().search(alice.user, q, std::nullopt, 10)) << testing::PrintToString(q);
    if (r && !*r) {
      EXPECT_EQ(r->error().code, errc::bad_request) << testing::PrintToString(q);
    }
  }
}

TEST_F(Messages, SearchRules) {
  say(bob, coaches, "hello");
  EXPECT_ERRC(messages().search(alice.user, "", std::nullopt, 10), bad_request);
  EXPECT_ERRC(messages().search(alice.user, "   ", std::nullopt, 10), bad_request);
  EXPECT_ERRC(messages().search(alice.user, "hello", std::nullopt, 0), bad_request);
  EXPECT_ERRC(messages().search(alice.user, "hello", std::nullopt, 101), bad_request);
  EXPECT_ERRC(messages().search(alice.user, std::string(501, 'h'), std::nullopt, 10), bad_request);
  for (int i = 0; i < 4; ++i) say(bob, coaches, "hello again " + std::to_string(i));
  EXPECT_EQ(must(messages().search(alice.user, "hello", std::nullopt, 3)).size(), 3u);
}

}  // namespace
}  // namespace peerchat::unit
