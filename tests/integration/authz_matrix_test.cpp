// SPDX-License-Identifier: MIT
// Who may do what: every group endpoint × owner, admin, member, non-member and anonymous.
// A non-member learns nothing of a group (404, as for a group that does not exist); an
// anonymous caller is 401; a member asking for an owner/admin action is 403.
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <array>

namespace peerchat::test {
namespace {

enum caller { owner, admin, member, outsider, anonymous };
constexpr std::array<char const*, 5> caller_names{"owner alice", "admin bob", "member erin", "non-member dave",
                                                  "anonymous"};
constexpr int success = 2;  // any 2xx

class authz_matrix_test : public coaches_test {
 protected:
  void SetUp() override {
    coaches_test::SetUp();
    srv.set_role("alice", coaches, "bob", "admin");
    srv.create_user("erin");
    srv.join("erin", coaches);
    carol_message = srv.send("carol", coaches, "carol writes")["seq"].get<std::int64_t>();
  }

  std::string const& token_of(caller c) {
    static std::string const none;
    switch (c) {
      case owner: return srv.token("alice");
      case admin: return srv.token("bob");
      case member: return srv.token("erin");
      case outsider: return srv.token("dave");
      case anonymous: return none;
    }
    return none;
  }

  std::string g(std::string const& rest = {}) const {
    return test_server::api("/groups/" + std::to_string(coaches) + rest);
  }

  // A new member through an invite (no CLI: the accept creates the account); returns its id.
  std::int64_t new_member(std::string const& username) {
    auto code = srv.create_invite("alice", coaches)["code"].get<std::string>();
    auto r = srv.http().post(test_server::api("/invites/" + code + "/accept"),
                             {{"username", username}, {"display_name", username}, {"password", password_for(username)}});
    EXPECT_STATUS(r, 201);
    return r.json()["user"]["id"].get<std::int64_t>();
  }

  struct probe {
    std::string what;
    std::function<http_response(caller)> call;
    std::array<int, 5> expected;  // per caller; `success` is any 2xx
  };

  void run(std::vector<probe> const& probes) {
    for (auto const& p : probes) {
      for (int c = owner; c <= anonymous; ++c) {
        SCOPED_TRACE(p.what + " as " + caller_names[c]);
        auto r = p.call(static_cast<caller>(c));
        int want = p.expected[c];
        if (want == success) {
          EXPECT_TRUE(is_2xx(r.status)) << r;
        } else {
          EXPECT_EQ(r.status, want) << r;
          EXPECT_TRUE(r.is_contract_error()) << r;
          std::string code = want == 401 ? "unauthorized" : want == 403 ? "forbidden" : "not_found";
          EXPECT_EQ(r.error_code(), code) << r;
        }
      }
    }
  }

  std::int64_t carol_message = 0;
  int counter = 0;
};

TEST_F(authz_matrix_test, ReadingAGroup) {
  auto http = srv.http();
  run({
      {"GET /groups/{id}", [&](caller c) { return http.get(g(), token_of(c)); }, {success, success, success, 404, 401}},
      {"GET /groups/{id}/messages", [&](caller c) { return http.get(g("/messages"), token_of(c)); },
       {success, success, success, 404, 401}},
      {"GET /groups/{id}/events", [&](caller c) { return http.get(g("/events?after=0"), token_of(c)); },
       {success, success, success, 404, 401}},
      {"GET /groups/{id}/invites", [&](caller c) { return http.get(g("/invites"), token_of(c)); },
       {success, success, 403, 404, 401}},
  });
}

TEST_F(authz_matrix_test, ChangingAGroup) {
  auto http = srv.http();
  run({
      {"PATCH /groups/{id}",
       [&](caller c) { return http.patch(g(), {{"topic", "topic " + std::to_string(++counter)}}, token_of(c)); },
       {success, success, 403, 404, 401}},
      {"PATCH /groups/{id}/members/{carol}",
       [&](caller c) {
         return http.patch(g("/members/" + std::to_string(srv.id("carol"))), {{"role", "member"}}, token_of(c));
       },
       {success, 403, 403, 404, 401}},
      {"DELETE /groups/{id}/members/{other}",
       [&](caller c) {
         auto target = new_member("target" + std::to_string(++counter));
         return http.del(g("/members/" + std::to_string(target)), token_of(c));
       },
       {success, success, 403, 404, 401}},
      {"POST /groups/{id}/invites", [&](caller c) { return http.post(g("/invites"), json::object(), token_of(c)); },
       {success, success, 403, 404, 401}},
      {"DELETE /groups/{id}/invites/{code}",
       [&](caller c) {
         auto code = srv.create_invite("alice", coaches)["code"].get<std::string>();
         return http.del(g("/invites/" + code), token_of(c));
       },
       {success, success, 403, 404, 401}},
  });
}

TEST_F(authz_matrix_test, Messages) {
  auto http = srv.http();
  auto msg = [&] { return "/messages/" + std::to_string(carol_message); };
  run({
      {"POST /groups/{id}/messages",
       [&](caller c) {
         return http.post(g("/messages"), {{"body", "hello"}, {"client_msg_id", "m" + std::to_string(++counter)}},
                          token_of(c));
       },
       {success, success, success, 404, 401}},
      // Only the author edits: not even the owner may put words in carol's mouth.
      {"PATCH /groups/{id}/messages/{seq} of carol's",
       [&](caller c) { return http.patch(g(msg()), {{"body", "edited"}}, token_of(c)); }, {403, 403, 403, 404, 401}},
      {"DELETE /groups/{id}/messages/{seq} of carol's",
       [&](caller c) {
         auto seq = srv.send("carol", coaches, "delete me")["seq"].get<std::int64_t>();
         return http.del(g("/messages/" + std::to_string(seq)), token_of(c));
       },
       {success, success, 403, 404, 401}},
      {"PUT /groups/{id}/messages/{seq}/reactions/{emoji}",
       [&](caller c) { return http.put(g(msg() + "/reactions/" + url_encode("👍")), token_of(c)); },
       {success, success, success, 404, 401}},
      {"DELETE /groups/{id}/messages/{seq}/reactions/{emoji}",
       [&](caller c) {
         http.put(g(msg() + "/reactions/" + url_encode("🎉")), token_of(c));
         return http.del(g(msg() + "/reactions/" + url_encode("🎉")), token_of(c));
       },
       {success, success, success, 404, 401}},
      {"POST /groups/{id}/read",
       [&](caller c) { return http.post(g("/read"), {{"seq", carol_message}}, token_of(c)); },
       {success, success, success, 404, 401}},
  });
}

TEST_F(authz_matrix_test, TheAuthorEditsAndDeletesTheirOwnMessage) {
  auto http = srv.http();
  EXPECT_STATUS(http.patch(g("/messages/" + std::to_string(carol_message)), {{"body", "carol edits"}}, srv.token("carol")),
                200);
  auto del = http.del(g("/messages/" + std::to_string(carol_message)), srv.token("carol"));
  EXPECT_TRUE(is_2xx(del.status)) << del;
}

TEST_F(authz_matrix_test, ANonMemberCannotTellAGroupFromNoGroup) {
  auto http = srv.http();
  auto hidden = http.get(g(), srv.token("dave"));
  auto missing = http.get(test_server::api("/groups/987654"), srv.token("dave"));
  EXPECT_EQ(hidden.status, 404) << hidden;
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_EQ(hidden.error_code(), missing.error_code());
  EXPECT_EQ(hidden.json()["error"].value("message", "a"), missing.json()["error"].value("message", "b"));
  // Nor by listing.
  auto list = http.get(test_server::api("/groups"), srv.token("dave"));
  ASSERT_STATUS(list, 200);
  EXPECT_TRUE(list.json()["groups"].empty()) << list;
  // Nor by searching it.
  auto search = http.get(test_server::api("/search?q=carol&group_id=" + std::to_string(coaches)), srv.token("dave"));
  EXPECT_TRUE(search.status == 404 || (search.status == 200 && search.json()["results"].empty())) << search;
  auto all = http.get(test_server::api("/search?q=carol"), srv.token("dave"));
  ASSERT_STATUS(all, 200);
  EXPECT_TRUE(all.json()["results"].empty()) << all;
}

TEST_F(authz_matrix_test, OnlyServerAdminsCreateGroups) {
  auto http = srv.http();
  EXPECT_ERROR(http.post(test_server::api("/groups"), {{"name", "bob's own"}}, srv.token("bob")), 403, "forbidden");
  EXPECT_ERROR(http.post(test_server::api("/groups"), {{"name", "dave's own"}}, srv.token("dave")), 403, "forbidden");
  EXPECT_ERROR(http.post(test_server::api("/groups"), {{"name", "nobody's"}}), 401, "unauthorized");
  auto r = http.post(test_server::api("/groups"), {{"name", "scouts"}, {"topic", "t"}}, srv.token("alice"));
  ASSERT_STATUS(r, 201);
  EXPECT_EQ(r.json().value("name", ""), "scouts");
}

TEST_F(authz_matrix_test, AnonymousCallersAreUnauthorizedEverywhere) {
  auto http = srv.http();
  for (std::string path : {"/me", "/groups", "/search?q=x"}) {
    SCOPED_TRACE(path);
    EXPECT_ERROR(http.get(test_server::api(path)), 401, "unauthorized");
  }
  EXPECT_ERROR(http.del(test_server::api("/sessions/current")), 401, "unauthorized");
}

TEST_F(authz_matrix_test, RolesCannotBeSelfPromoted) {
  auto http = srv.http();
  auto member_path = [&](std::string const& u) { return g("/members/" + std::to_string(srv.id(u))); };
  EXPECT_ERROR(http.patch(member_path("erin"), {{"role", "admin"}}, srv.token("erin")), 403, "forbidden");
  EXPECT_ERROR(http.patch(member_path("bob"), {{"role", "owner"}}, srv.token("bob")), 403, "forbidden");
  EXPECT_ERROR(http.patch(member_path("erin"), {{"role", "admin"}}, srv.token("bob")), 403, "forbidden");
  // An admin cannot remove the owner either.
  EXPECT_EQ(http.del(member_path("alice"), srv.token("bob")).status, 403);
  auto members = srv.group("alice", coaches)["members"];
  for (auto const& m : members) {
    std::map<std::string, std::string> expected{{"erin", "member"}, {"bob", "admin"}, {"alice", "owner"}};
    auto name = m.value("username", "");
    if (expected.count(name)) {
      EXPECT_EQ(m.value("role", ""), expected[name]) << name;
    }
  }
}

}  // namespace
}  // namespace peerchat::test
