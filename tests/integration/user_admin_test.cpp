// SPDX-License-Identifier: MIT
// User administration against the real server: the admin lists, creates, disables and
// (un)makes admins — never the last one —, hands out reset and setup links, and deletes
// accounts, whose owner then shows as "Deleted user" everywhere; who may create groups.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <fstream>
#include <sstream>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

class user_admin_test : public coaches_test {
 protected:
  http_response admin_get(std::string const& path, std::string const& as = "alice") {
    return srv.http().get(test_server::api(path), srv.token(as));
  }
  http_response admin_post(std::string const& path, json const& body, std::string const& as = "alice") {
    return srv.http().post(test_server::api(path), body, srv.token(as));
  }
  http_response admin_patch(std::string const& path, json const& body, std::string const& as = "alice") {
    return srv.http().patch(test_server::api(path), body, srv.token(as));
  }
  http_response admin_delete(std::string const& path, std::string const& as = "alice") {
    return srv.http().del(test_server::api(path), srv.token(as));
  }
  std::string user_path(std::string const& name) { return "/admin/users/" + std::to_string(srv.id(name)); }

  http_response login(std::string const& username, std::string const& password) {
    return srv.http().post(test_server::api("/sessions"), {{"username", username}, {"password", password}});
  }

  // The code at the end of a link (…/reset/<code> or …/welcome/<code>).
  static std::string code_of(std::string const& url) { return url.substr(url.rfind('/') + 1); }

  // Every user's username in GET /admin/users?q=… (one page).
  std::vector<std::string> usernames(std::string const& query = {}) {
    auto r = admin_get("/admin/users" + query);
    EXPECT_STATUS(r, 200);
    std::vector<std::string> out;
    auto const body = r.json();  // kept: a range-for over a member of a temporary would dangle
    for (auto const& u : body["users"]) out.push_back(u["username"]);
    return out;
  }
};

// ---------------------------------------------------------------------------------------
// Listing and searching

TEST_F(user_admin_test, TheAdminListsEveryoneWithTheContractFields) {
  auto r = admin_get("/admin/users");
  ASSERT_STATUS(r, 200);
  auto users = r.json()["users"];
  ASSERT_EQ(users.size(), 4u) << r;
  EXPECT_EQ(keys_of(users[0]), (std::vector<std::string>{"created_at", "disabled", "display_name", "id", "is_admin",
                                                         "last_seen_at", "username"}));
  EXPECT_EQ(users[0]["username"], "alice");
  EXPECT_EQ(users[0]["is_admin"], true);
  EXPECT_EQ(users[1]["username"], "bob");
  EXPECT_EQ(users[1]["disabled"], false);
  EXPECT_TRUE(r.json()["next_cursor"].is_null()) << r;
}

TEST_F(user_admin_test, SearchMatchesUsernameOrDisplayNameAndPagesWithACursor) {
  EXPECT_EQ(usernames("?q=car"), std::vector<std::string>{"carol"});
  EXPECT_EQ(usernames("?q=CAR"), std::vector<std::string>{"carol"});  // case-insensitive
  EXPECT_EQ(usernames("?q=nobody-like-this"), std::vector<std::string>{});

  auto first = admin_get("/admin/users?limit=3");
  ASSERT_STATUS(first, 200);
  ASSERT_EQ(first.json()["users"].size(), 3u);
  ASSERT_TRUE(first.json()["next_cursor"].is_string()) << first;
  auto second = admin_get("/admin/users?limit=3&cursor=" + first.json()["next_cursor"].get<std::string>());
  ASSERT_STATUS(second, 200);
  ASSERT_EQ(second.json()["users"].size(), 1u) << second;
  EXPECT_EQ(second.json()["users"][0]["username"], "dave");
  EXPECT_TRUE(second.json()["next_cursor"].is_null());
}

TEST_F(user_admin_test, BadQueriesAre400) {
  EXPECT_ERROR(admin_get("/admin/users?limit=0"), 400, "bad_request");
  EXPECT_ERROR(admin_get("/admin/users?limit=201"), 400, "bad_request");
  EXPECT_ERROR(admin_get("/admin/users?cursor=abc"), 400, "bad_request");
  EXPECT_ERROR(admin_get("/admin/users?q=" + std::string(65, 'a')), 400, "bad_request");
}

TEST_F(user_admin_test, EveryAdminRouteIs403ForOthersAnd401WithoutLogin) {
  auto bob = srv.id("bob");
  EXPECT_ERROR(admin_get("/admin/users", "bob"), 403, "forbidden");
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "eve"}, {"display_name", "Eve"}}, "bob"), 403, "forbidden");
  EXPECT_ERROR(admin_patch(user_path("carol"), {{"disabled", true}}, "bob"), 403, "forbidden");
  EXPECT_ERROR(admin_patch("/admin/users/" + std::to_string(bob), {{"is_admin", true}}, "bob"), 403, "forbidden");
  EXPECT_ERROR(admin_post(user_path("carol") + "/reset-link", json::object(), "bob"), 403, "forbidden");
  EXPECT_ERROR(admin_delete(user_path("carol"), "bob"), 403, "forbidden");
  EXPECT_ERROR(srv.http().get(test_server::api("/admin/users")), 401, "unauthorized");
  // Nothing happened to carol.
  EXPECT_STATUS(login("carol", password_for("carol")), 201);
}

// ---------------------------------------------------------------------------------------
// Creating accounts

TEST_F(user_admin_test, CreatingWithAPasswordMakesAnAccountThatLogsIn) {
  auto r = admin_post("/admin/users", {{"username", "erin"}, {"display_name", "Erin E."}, {"password", "erin-password-1"}});
  ASSERT_STATUS(r, 201);
  EXPECT_EQ(r.json()["username"], "erin");
  EXPECT_EQ(r.json()["display_name"], "Erin E.");
  EXPECT_EQ(r.json()["is_admin"], false);
  EXPECT_FALSE(r.json().contains("setup_url")) << r;
  auto in = login("erin", "erin-password-1");
  ASSERT_STATUS(in, 201);
  EXPECT_EQ(in.json()["user"]["id"], r.json()["id"]);

  auto admin = admin_post("/admin/users", {{"username", "frank"}, {"display_name", "Frank"}, {"password", "frank-password"},
                                           {"is_admin", true}});
  ASSERT_STATUS(admin, 201);
  EXPECT_EQ(admin.json()["is_admin"], true);
  auto frank = login("frank", "frank-password");
  ASSERT_STATUS(frank, 201);
  EXPECT_STATUS(srv.http().get(test_server::api("/admin/users"), frank.json()["token"]), 200);
}

TEST_F(user_admin_test, BadOrTakenFieldsAreRefused) {
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "Bad Name"}, {"display_name", "x"}}), 400, "bad_request");
  EXPECT_ERROR(admin_post("/admin/users", {{"display_name", "No Name"}}), 400, "bad_request");
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "gina"}, {"display_name", std::string(65, 'g')}}), 400, "bad_request");
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "gina"}, {"password", "short"}}), 400, "bad_request");
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "gina"}, {"is_admin", "yes"}}), 400, "bad_request");
  EXPECT_ERROR(admin_post("/admin/users", {{"username", "bob"}, {"display_name", "Bob 2"}}), 409, "conflict");
  EXPECT_ERROR(admin_patch(user_path("bob"), {{"disabled", "no"}}), 400, "bad_request");
  EXPECT_ERROR(admin_patch("/admin/users/999999", {{"disabled", true}}), 404, "not_found");
  EXPECT_ERROR(admin_delete(user_path("bob") + "?erase=maybe"), 400, "bad_request");
  EXPECT_EQ(usernames("?q=gina"), std::vector<std::string>{});
}

TEST_F(user_admin_test, WithoutAPasswordTheAnswerHoldsAOneTimeSetupLink) {
  auto r = admin_post("/admin/users", {{"username", "hana"}, {"display_name", "Hana H."}});
  ASSERT_STATUS(r, 201);
  ASSERT_TRUE(r.json().contains("setup_url")) << r;
  std::string url = r.json()["setup_url"];
  EXPECT_EQ(url.rfind(srv.origin() + "/welcome/", 0), 0u) << url;
  auto code = code_of(url);
  EXPECT_GE(code.size(), 43u);  // ≥ 256 random bits
  EXPECT_EQ(r.json()["setup_expires_at"].get<std::int64_t>() - r.json()["created_at"].get<std::int64_t>(),
            7LL * 24 * 3600 * 1000);

  // No password works until the link is used.
  EXPECT_ERROR(login("hana", ""), 401, "unauthorized");
  EXPECT_ERROR(login("hana", "any-password-at-all"), 401, "unauthorized");

  auto who = srv.http().get(test_server::api("/account/reset/" + code));
  ASSERT_STATUS(who, 200);
  EXPECT_EQ(who.json()["username"], "hana");
  EXPECT_EQ(who.json()["display_name"], "Hana H.");
  EXPECT_EQ(who.json()["purpose"], "setup");

  auto used = srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "hana-password-1"}});
  ASSERT_STATUS(used, 201);
  EXPECT_EQ(used.json()["user"]["username"], "hana");
  EXPECT_FALSE(used.json()["token"].get<std::string>().empty());
  EXPECT_FALSE(used.set_cookies().empty()) << used;
  EXPECT_STATUS(srv.http().get(test_server::api("/me"), used.json()["token"]), 200);
  EXPECT_STATUS(login("hana", "hana-password-1"), 201);

  EXPECT_ERROR(srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "another-password"}}), 404,
               "not_found");
  EXPECT_ERROR(srv.http().get(test_server::api("/account/reset/" + code)), 404, "not_found");
}

// ---------------------------------------------------------------------------------------
// Disabling and admin rights

TEST_F(user_admin_test, DisablingClosesTheUsersSocketsWith4001AndRefusesLogin) {
  auto bob_ws = srv.connect("bob");
  std::string old_token = srv.token("bob");

  auto r = admin_patch(user_path("bob"), {{"disabled", true}});
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json()["disabled"], true);

  auto end = bob_ws->read_close(5s);
  EXPECT_EQ(end.how, ws_close::outcome::closed) << end.error;
  EXPECT_EQ(end.code, 4001);
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), old_token), 401, "unauthorized");
  auto refused = login("bob", password_for("bob"));
  EXPECT_ERROR(refused, 403, "forbidden");
  EXPECT_NE(refused.body.find("disabled"), std::string::npos) << refused;
  EXPECT_ERROR(login("bob", "a-wrong-password"), 401, "unauthorized");  // nothing told without the password

  // His messages stay, and the others keep the group.
  EXPECT_EQ(usernames("?q=bob"), std::vector<std::string>{"bob"});

  auto back = admin_patch(user_path("bob"), {{"disabled", false}});
  ASSERT_STATUS(back, 200);
  EXPECT_EQ(back.json()["disabled"], false);
  EXPECT_STATUS(login("bob", password_for("bob")), 201);
}

TEST_F(user_admin_test, TheLastEnabledAdminCanBeNeitherDisabledNorUnmadeNorDeleted) {
  EXPECT_ERROR(admin_patch(user_path("alice"), {{"disabled", true}}), 409, "conflict");
  EXPECT_ERROR(admin_patch(user_path("alice"), {{"is_admin", false}}), 409, "conflict");
  EXPECT_ERROR(admin_delete(user_path("alice")), 409, "conflict");
  EXPECT_STATUS(admin_get("/admin/users"), 200);  // alice is still an admin, still logged in

  auto made = admin_patch(user_path("bob"), {{"is_admin", true}});
  ASSERT_STATUS(made, 200);
  EXPECT_EQ(made.json()["is_admin"], true);
  // A disabled admin does not count: with bob disabled, alice is the last enabled one again.
  ASSERT_STATUS(admin_patch(user_path("bob"), {{"disabled", true}}), 200);
  EXPECT_ERROR(admin_patch(user_path("alice"), {{"is_admin", false}}), 409, "conflict");
  ASSERT_STATUS(admin_patch(user_path("bob"), {{"disabled", false}}), 200);

  auto unmade = admin_patch(user_path("alice"), {{"is_admin", false}});
  ASSERT_STATUS(unmade, 200);
  EXPECT_EQ(unmade.json()["is_admin"], false);
  EXPECT_ERROR(admin_get("/admin/users"), 403, "forbidden");  // alice's next request sees it
  srv.login("bob");  // his sessions ended when he was disabled
  EXPECT_ERROR(admin_patch(user_path("bob"), {{"is_admin", false}}, "bob"), 409, "conflict");
}

// ---------------------------------------------------------------------------------------
// Reset links

TEST_F(user_admin_test, AResetLinkSetsANewPasswordOnceAndEndsEveryOldSession) {
  auto bob_ws = srv.connect("bob");
  std::string old_token = srv.token("bob");
  ASSERT_STATUS(srv.http().patch(test_server::api("/me"), {{"about", "Implementer, Denver"}}, old_token), 200);

  auto link = admin_post(user_path("bob") + "/reset-link", json::object());
  ASSERT_STATUS(link, 201);
  std::string url = link.json()["url"];
  EXPECT_EQ(url.rfind(srv.origin() + "/reset/", 0), 0u) << url;
  EXPECT_GT(link.json()["expires_at"].get<std::int64_t>(), 0);
  auto code = code_of(url);

  auto who = srv.http().get(test_server::api("/account/reset/" + code));
  ASSERT_STATUS(who, 200);
  EXPECT_EQ(who.json()["username"], "bob");
  EXPECT_EQ(who.json()["purpose"], "reset");

  EXPECT_ERROR(srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "short"}}), 400, "bad_request");
  auto used = srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "bobs-new-password"}});
  ASSERT_STATUS(used, 201);
  EXPECT_EQ(used.json()["user"]["username"], "bob");
  EXPECT_EQ(used.json()["user"]["about"], "Implementer, Denver");  // the signed-in user as a login gives it

  auto end = bob_ws->read_close(5s);
  EXPECT_EQ(end.code, 4001) << end.error;
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), old_token), 401, "unauthorized");
  EXPECT_STATUS(srv.http().get(test_server::api("/me"), used.json()["token"]), 200);
  EXPECT_ERROR(login("bob", password_for("bob")), 401, "unauthorized");
  EXPECT_STATUS(login("bob", "bobs-new-password"), 201);

  // Single use.
  EXPECT_ERROR(srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "yet-another-one"}}), 404,
               "not_found");
  EXPECT_STATUS(login("bob", "bobs-new-password"), 201);
}

TEST_F(user_admin_test, ANewLinkReplacesTheOlderOneAndCodesAreStoredOnlyAsHashes) {
  auto first = admin_post(user_path("carol") + "/reset-link", json::object());
  auto second = admin_post(user_path("carol") + "/reset-link", json::object());
  ASSERT_STATUS(first, 201);
  ASSERT_STATUS(second, 201);
  auto old_code = code_of(first.json()["url"]);
  auto new_code = code_of(second.json()["url"]);
  EXPECT_NE(old_code, new_code);
  EXPECT_ERROR(srv.http().get(test_server::api("/account/reset/" + old_code)), 404, "not_found");
  EXPECT_STATUS(srv.http().get(test_server::api("/account/reset/" + new_code)), 200);

  // Neither code appears in the database files (the file and its write-ahead log).
  for (auto const* name : {"peerchat.db", "peerchat.db-wal"}) {
    std::ifstream in(srv.data_dir() / name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(new_code), std::string::npos) << name;
    EXPECT_EQ(bytes.str().find(old_code), std::string::npos) << name;
  }
}

TEST_F(user_admin_test, UnknownCodesAre404AndGuessingIsRateLimitedByAddress) {
  EXPECT_ERROR(srv.http().get(test_server::api("/account/reset/not-a-code")), 404, "not_found");
  EXPECT_ERROR(srv.http().post(test_server::api("/account/reset/not-a-code"), {{"new_password", "whatever-password"}}), 404,
               "not_found");
  http_response last;
  for (int i = 0; i < 20 && last.status != 429; ++i)
    last = srv.http().get(test_server::api("/account/reset/guess-" + std::to_string(i)));
  EXPECT_ERROR(last, 429, "rate_limited");
  // A disabled account's link cannot be made.
  ASSERT_STATUS(admin_patch(user_path("dave"), {{"disabled", true}}), 200);
  EXPECT_ERROR(admin_post(user_path("dave") + "/reset-link", json::object()), 409, "conflict");
}

// ---------------------------------------------------------------------------------------
// Deleting accounts

// The sender object every view must show for a deleted user.
json deleted_sender(std::int64_t id) { return {{"user_id", id}, {"display_name", "Deleted user"}, {"deleted", true}}; }

TEST_F(user_admin_test, ADeletedUsersMessagesStayShownAsFromDeletedUserEverywhere) {
  auto bob = srv.id("bob");
  srv.send("bob", coaches, "hello from bob about the plan");
  srv.send("carol", coaches, "hello from carol");
  srv.send("bob", coaches, "second note from bob");
  auto bob_ws = srv.connect("bob");
  auto carol_ws = srv.connect("carol");
  std::string bob_token = srv.token("bob");

  ASSERT_STATUS(admin_delete(user_path("bob")), 204);

  EXPECT_EQ(bob_ws->read_close(5s).code, 4001);
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), bob_token), 401, "unauthorized");
  EXPECT_ERROR(login("bob", password_for("bob")), 401, "unauthorized");
  // Live: carol sees bob removed.
  auto live = read_events(*carol_ws, coaches, 1, 5s);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0]["kind"], "member_removed");
  EXPECT_EQ(live[0]["user_id"], bob);

  // Members: bob is gone.
  auto const group = srv.group("carol", coaches);
  for (auto const& m : group["members"]) EXPECT_NE(m["user_id"], bob);
  // History: his messages stay, from "Deleted user".
  auto history = srv.http().get(test_server::api("/groups/" + std::to_string(coaches) + "/messages"), srv.token("carol"));
  ASSERT_STATUS(history, 200);
  int his = 0;
  auto const messages = history.json();
  for (auto const& m : messages["messages"]) {
    if (m["sender"]["user_id"] != bob) continue;
    ++his;
    EXPECT_EQ(m["sender"], deleted_sender(bob)) << m;
    EXPECT_TRUE(m.contains("body")) << m;
  }
  EXPECT_EQ(his, 2);
  // Stored events (GET /events) and a replay on a new socket: the old events say so too.
  int in_events = 0;
  for (auto const& e : srv.events("carol", coaches)) {
    if (e["kind"] != "message" || e["sender"]["user_id"] != bob) continue;
    ++in_events;
    EXPECT_EQ(e["sender"], deleted_sender(bob)) << e;
    EXPECT_FALSE(e.dump().find("\"Bob\"") != std::string::npos) << e;
  }
  EXPECT_EQ(in_events, 2);
  auto replay_ws = srv.connect("carol", json{{std::to_string(coaches), 0}});
  auto last = srv.events("carol", coaches).back()["seq"].get<std::int64_t>();
  auto replayed = read_events(*replay_ws, coaches, static_cast<std::size_t>(last), 10s);
  ASSERT_EQ(replayed.size(), static_cast<std::size_t>(last));
  for (auto const& e : replayed)
    if (e["kind"] == "message" && e["sender"]["user_id"] == bob) EXPECT_EQ(e["sender"], deleted_sender(bob)) << e;
  // Search.
  auto found = srv.http().get(test_server::api("/search?q=bob"), srv.token("carol"));
  ASSERT_STATUS(found, 200);
  ASSERT_FALSE(found.json()["results"].empty()) << found;
  auto const results = found.json();
  for (auto const& hit : results["results"]) EXPECT_EQ(hit["sender"], deleted_sender(bob)) << hit;

  // The admin's list leaves him out, and his username is free again.
  EXPECT_EQ(usernames("?q=bob"), std::vector<std::string>{});
  EXPECT_ERROR(admin_patch("/admin/users/" + std::to_string(bob), {{"disabled", false}}), 404, "not_found");
  auto again = admin_post("/admin/users", {{"username", "bob"}, {"display_name", "New Bob"}, {"password", "new-bob-password"}});
  ASSERT_STATUS(again, 201);
  EXPECT_NE(again.json()["id"], bob);
  // Deleting again is harmless.
  EXPECT_STATUS(admin_delete("/admin/users/" + std::to_string(bob)), 204);
}

TEST_F(user_admin_test, EraseTrueErasesEveryMessageTheySentLikeADeletedOne) {
  auto carol = srv.id("carol");
  srv.send("carol", coaches, "carol secret one");
  srv.send("bob", coaches, "bob stays");
  srv.send("carol", coaches, "carol secret two");

  ASSERT_STATUS(admin_delete(user_path("carol") + "?erase=true"), 204);

  auto history = srv.http().get(test_server::api("/groups/" + std::to_string(coaches) + "/messages"), srv.token("bob"));
  ASSERT_STATUS(history, 200);
  int erased = 0;
  auto const messages = history.json();
  for (auto const& m : messages["messages"]) {
    if (m["sender"]["user_id"] == carol) {
      ++erased;
      EXPECT_EQ(m.value("deleted", false), true) << m;
      EXPECT_FALSE(m.contains("body")) << m;
      EXPECT_EQ(m["sender"], deleted_sender(carol));
    } else {
      EXPECT_TRUE(m.contains("body")) << m;
    }
  }
  EXPECT_EQ(erased, 2) << history;
  int deleted_events = 0;
  for (auto const& e : srv.events("bob", coaches)) {
    EXPECT_EQ(e.dump().find("secret"), std::string::npos) << e;
    if (e["kind"] == "message_deleted") ++deleted_events;
  }
  EXPECT_EQ(deleted_events, 2);
  auto found = srv.http().get(test_server::api("/search?q=secret"), srv.token("bob"));
  ASSERT_STATUS(found, 200);
  EXPECT_TRUE(found.json()["results"].empty()) << found;
}

TEST_F(user_admin_test, AGroupWhoseLastOwnerIsDeletedGetsTheLongestStandingAdminAsOwner) {
  srv.set_role("alice", coaches, "carol", "admin");
  ASSERT_STATUS(admin_patch(user_path("dave"), {{"is_admin", true}}), 200);  // so alice is not the last admin
  ASSERT_STATUS(admin_delete(user_path("alice"), "dave"), 204);

  auto g = srv.group("bob", coaches);
  std::map<std::int64_t, std::string> roles;
  for (auto const& m : g["members"]) roles[m["user_id"]] = m["role"];
  EXPECT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[srv.id("carol")], "owner");
  EXPECT_EQ(roles[srv.id("bob")], "member");
  auto events = srv.events("bob", coaches);
  ASSERT_GE(events.size(), 2u);
  auto const& promoted = events[events.size() - 2];
  EXPECT_EQ(promoted["kind"], "role_changed");
  EXPECT_EQ(promoted["user_id"], srv.id("carol"));
  EXPECT_EQ(promoted["role"], "owner");
  EXPECT_EQ(events.back()["kind"], "member_removed");
}

TEST_F(user_admin_test, DeleteMeNeedsThePasswordAndSparesTheLastAdmin) {
  auto del_me = [&](std::string const& who, std::string const& password) {
    return srv.http().request(http::verb::delete_, test_server::api("/me"), json{{"password", password}},
                              {srv.token(who), {}});
  };
  EXPECT_ERROR(del_me("carol", "not-her-password"), 403, "forbidden");
  EXPECT_ERROR(srv.http().request(http::verb::delete_, test_server::api("/me"), std::nullopt, {srv.token("carol"), {}}),
               400, "bad_request");
  EXPECT_STATUS(srv.http().get(test_server::api("/me"), srv.token("carol")), 200);  // still there

  auto gone = del_me("carol", password_for("carol"));
  ASSERT_STATUS(gone, 204);
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), srv.token("carol")), 401, "unauthorized");
  EXPECT_ERROR(login("carol", password_for("carol")), 401, "unauthorized");
  auto events = srv.events("bob", coaches);
  EXPECT_EQ(events.back()["kind"], "member_left");

  EXPECT_ERROR(del_me("alice", password_for("alice")), 409, "conflict");
}

// ---------------------------------------------------------------------------------------
// Who may create groups

TEST_F(user_admin_test, ByDefaultOnlyAdminsCreateGroupsAndMeSaysSo) {
  EXPECT_ERROR(admin_post("/groups", {{"name", "bob's"}}, "bob"), 403, "forbidden");
  EXPECT_EQ(admin_get("/me", "bob").json()["can_create_groups"], false);
  EXPECT_EQ(admin_get("/me", "alice").json()["can_create_groups"], true);
}

class group_creation_everyone_test : public user_admin_test {
 protected:
  void configure(peerchat::config& c) override { c.group_creation = "everyone"; }
};

TEST_F(group_creation_everyone_test, EveryoneMayCreateGroups) {
  EXPECT_EQ(admin_get("/me", "bob").json()["can_create_groups"], true);
  auto r = admin_post("/groups", {{"name", "bob's"}}, "bob");
  ASSERT_STATUS(r, 201);
  EXPECT_EQ(r.json()["role"], "owner");
}

}  // namespace
}  // namespace peerchat::test
