// SPDX-License-Identifier: MIT
// Bad HTTP input of every kind gets the contract's JSON error with the right status —
// never a crash, a hang, an HTML page or a half-written row — and the server keeps serving.
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

class http_bad_input_test : public ::testing::Test {
 protected:
  void SetUp() override {
    srv.create_user("alice", true);
    srv.start();
    coaches = srv.create_group("alice", "coaches");
  }

  // After each bad request the server still answers, and still stores.
  void expect_still_serving() {
    auto health = srv.http().get("/healthz");
    EXPECT_STATUS(health, 200);
    EXPECT_EQ(health.json().value("status", ""), "ok") << health;
  }

  http_response post_raw(std::string const& path, std::string body, std::string const& token = {}) {
    return srv.http().request_raw(http::verb::post, test_server::api(path), std::move(body), {token, {}});
  }

  std::string groups_path() const { return "/groups"; }
  std::string messages_path() const { return "/groups/" + std::to_string(coaches) + "/messages"; }

  test_server srv;
  std::int64_t coaches = 0;
};

// Every error carries JSON, never an HTML page.
void expect_json_error(http_response const& r, int status, std::string const& code) {
  EXPECT_ERROR(r, status, code);
  EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos) << r;
  EXPECT_EQ(r.body.find("<html"), std::string::npos) << r;
}

TEST_F(http_bad_input_test, MalformedJsonIsBadRequest) {
  std::vector<std::string> bodies = {
      "{\"username\":",           // truncated
      "{username: \"alice\"}",    // unquoted key
      "{\"username\":\"alice\",}",  // trailing comma
      "not json at all",
      "{\"a\":1}{\"b\":2}",       // two documents
      "\"just a string\"",
      "[]",
      "null",
  };
  for (auto const& body : bodies) {
    SCOPED_TRACE(body);
    expect_json_error(post_raw("/sessions", body), 400, "bad_request");
    expect_json_error(post_raw(groups_path(), body, srv.token("alice")), 400, "bad_request");
    expect_json_error(post_raw(messages_path(), body, srv.token("alice")), 400, "bad_request");
  }
  expect_still_serving();
}

TEST_F(http_bad_input_test, EmptyBodyIsBadRequest) {
  expect_json_error(post_raw("/sessions", ""), 400, "bad_request");
  expect_json_error(post_raw(groups_path(), "", srv.token("alice")), 400, "bad_request");
  expect_still_serving();
}

TEST_F(http_bad_input_test, WrongTypesAreBadRequest) {
  auto const& token = srv.token("alice");
  expect_json_error(srv.http().post(test_server::api("/sessions"), {{"username", 123}, {"password", true}}), 400,
                    "bad_request");
  expect_json_error(srv.http().post(test_server::api("/sessions"), {{"username", {"alice"}}, {"password", "x"}}),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(groups_path()), {{"name", 5}}, token), 400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(groups_path()), {{"name", "ok"}, {"topic", json::array()}}, token),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()), {{"body", 42}, {"client_msg_id", "c1"}}, token),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()), {{"body", "hi"}, {"client_msg_id", 7}}, token),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()),
                                    {{"body", "hi"}, {"client_msg_id", "c2"}, {"reply_to", "1"}}, token),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api("/groups/" + std::to_string(coaches) + "/invites"),
                                    {{"max_uses", "3"}}, token),
                    400, "bad_request");
  expect_json_error(srv.http().post(test_server::api("/groups/" + std::to_string(coaches) + "/read"),
                                    {{"seq", "1"}}, token),
                    400, "bad_request");
  expect_still_serving();
  // Nothing half-written: no message was stored by any of these.
  for (auto const& e : srv.events("alice", coaches)) EXPECT_NE(e.value("kind", ""), "message") << e.dump();
}

TEST_F(http_bad_input_test, MissingFieldsAreBadRequest) {
  auto const& token = srv.token("alice");
  expect_json_error(srv.http().post(test_server::api("/sessions"), json::object()), 400, "bad_request");
  expect_json_error(srv.http().post(test_server::api("/sessions"), {{"username", "alice"}}), 400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(groups_path()), json::object(), token), 400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()), {{"client_msg_id", "c1"}}, token), 400,
                    "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()), {{"body", "hello"}}, token), 400,
                    "bad_request");
  auto invite = srv.create_invite("alice", coaches);
  auto accept = test_server::api("/invites/" + invite["code"].get<std::string>() + "/accept");
  expect_json_error(srv.http().post(accept, {{"username", "erin"}, {"display_name", "Erin"}}), 400, "bad_request");
  expect_json_error(srv.http().post(accept, {{"display_name", "Erin"}, {"password", "erin-password-1"}}), 400,
                    "bad_request");
  // The failed accepts used nothing up.
  EXPECT_STATUS(srv.http().get(test_server::api("/invites/" + invite["code"].get<std::string>())), 200);
  expect_still_serving();
}

TEST_F(http_bad_input_test, FieldsOverTheirLimitsAreBadRequest) {
  auto const& token = srv.token("alice");
  expect_json_error(srv.http().post(test_server::api(groups_path()), {{"name", ""}}, token), 400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(groups_path()), {{"name", std::string(81, 'g')}}, token), 400,
                    "bad_request");
  // Limits count code points, not bytes: 80 two-byte characters are a valid name.
  EXPECT_STATUS(srv.http().post(test_server::api(groups_path()), {{"name", repeat("é", 80)}}, token), 201);
  expect_json_error(
      srv.http().post(test_server::api(messages_path()), {{"body", std::string(8001, 'm')}, {"client_msg_id", "long"}},
                      token),
      400, "bad_request");
  expect_json_error(srv.http().post(test_server::api(messages_path()), {{"body", "   \n\t "}, {"client_msg_id", "blank"}},
                                    token),
                    400, "bad_request");
  EXPECT_STATUS(srv.http().post(test_server::api(messages_path()), {{"body", repeat("ü", 8000)}, {"client_msg_id", "max"}},
                                token),
                201);
  expect_still_serving();
}

TEST_F(http_bad_input_test, OversizedBodyIsPayloadTooLarge) {
  std::string huge = "{\"name\":\"" + std::string((1 << 20) + 16, 'x') + "\"}";
  auto r = post_raw(groups_path(), huge, srv.token("alice"));
  expect_json_error(r, 413, "payload_too_large");
  // Also before authentication: an anonymous client cannot make the server buffer megabytes.
  expect_json_error(post_raw("/sessions", huge), 413, "payload_too_large");
  // A body that says it is huge, without sending it.
  auto declared = srv.http().send_bytes("POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{",
                                        std::chrono::seconds(10));
  expect_json_error(declared, 413, "payload_too_large");
  expect_still_serving();
  EXPECT_EQ(srv.http().get(test_server::api("/groups"), srv.token("alice")).json()["groups"].size(), 1u);
}

TEST_F(http_bad_input_test, InvalidUtf8IsBadRequest) {
  auto const& token = srv.token("alice");
  std::vector<std::string> bad = {
      "\xff\xfe",          // never valid
      "\xc0\xaf",          // overlong '/'
      "ab\xe2\x82",        // truncated sequence
      "\xed\xa0\x80",      // UTF-16 surrogate encoded in UTF-8
      "\xf4\x90\x80\x80",  // past U+10FFFF
  };
  for (auto const& b : bad) {
    SCOPED_TRACE(::testing::PrintToString(b));
    expect_json_error(post_raw(groups_path(), "{\"name\":\"" + b + "\"}", token), 400, "bad_request");
    expect_json_error(post_raw(messages_path(), "{\"body\":\"" + b + "\",\"client_msg_id\":\"u\"}", token), 400,
                      "bad_request");
    expect_json_error(post_raw("/sessions", "{\"username\":\"" + b + "\",\"password\":\"alice-password-1\"}"), 400,
                      "bad_request");
  }
  // A lone surrogate written as a JSON escape is not a character either.
  expect_json_error(post_raw(groups_path(), R"({"name":"\ud800"})", token), 400, "bad_request");
  expect_still_serving();
  EXPECT_EQ(srv.http().get(test_server::api("/groups"), token).json()["groups"].size(), 1u);
}

TEST_F(http_bad_input_test, NestingDeeperThan32IsBadRequest) {
  auto const& token = srv.token("alice");
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  // The object itself is one level; 32 more arrays make 33.
  expect_json_error(post_raw(groups_path(), "{\"name\":\"deep\",\"topic\":" + nested(32) + "}", token), 400,
                    "bad_request");
  // Far deeper input must be refused while parsing, not built and then crash the server.
  expect_json_error(post_raw(groups_path(), "{\"name\":\"deep\",\"topic\":" + nested(100000) + "}", token), 400,
                    "bad_request");
  expect_json_error(post_raw("/sessions", std::string(200000, '[')), 400, "bad_request");
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  expect_json_error(post_raw(messages_path(), objects, token), 400, "bad_request");
  expect_still_serving();
}

TEST_F(http_bad_input_test, UnknownRoutesAreJsonNotFound) {
  auto const& token = srv.token("alice");
  for (std::string path : {"/api/v1/nope", "/api/v1/groups/1/nope", "/api/v2/groups", "/api/v1/",
                           "/api/v1/groups/abc", "/api/v1/groups/99999999999999999999999",
                           "/api/v1/groups/-1", "/api/v1/groups/0"}) {
    SCOPED_TRACE(path);
    auto anonymous = srv.http().get(path);
    EXPECT_TRUE(anonymous.status == 404 || anonymous.status == 401 || anonymous.status == 400) << anonymous;
    EXPECT_TRUE(anonymous.is_contract_error()) << anonymous;
    auto r = srv.http().get(path, token);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << r;
    EXPECT_TRUE(r.is_contract_error()) << r;
    EXPECT_EQ(r.body.find("<html"), std::string::npos) << r;
  }
  expect_json_error(srv.http().get("/api/v1/nope", token), 404, "not_found");
  expect_still_serving();
}

TEST_F(http_bad_input_test, WrongMethodIsJsonError) {
  auto const& token = srv.token("alice");
  struct probe {
    http::verb method;
    std::string path;
  };
  std::vector<probe> probes = {
      {http::verb::put, "/api/v1/me"},
      {http::verb::put, "/api/v1/sessions"},
      {http::verb::get, "/api/v1/sessions"},
      {http::verb::post, "/api/v1/me"},
      {http::verb::put, "/api/v1/groups/" + std::to_string(coaches)},
      {http::verb::post, "/api/v1/groups/" + std::to_string(coaches) + "/members/1"},
      {http::verb::get, "/api/v1/groups/" + std::to_string(coaches) + "/read"},
  };
  for (auto const& p : probes) {
    SCOPED_TRACE(std::string(http::to_string(p.method)) + " " + p.path);
    auto r = srv.http().request(p.method, p.path, std::nullopt, {token, {}});
    EXPECT_TRUE(r.status == 404 || r.status == 405) << r;
    EXPECT_TRUE(r.is_contract_error()) << r;
    EXPECT_EQ(r.body.find("<html"), std::string::npos) << r;
  }
  expect_still_serving();
}

TEST_F(http_bad_input_test, GarbageOnTheWireDoesNotHurtTheServer) {
  // Not HTTP at all, a header too large, a bad chunked encoding: each may be answered with
  // an error or a closed connection, but the server must go on serving.
  auto garbage = srv.http().send_bytes("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
                                       std::chrono::seconds(5));
  EXPECT_NE(garbage.status, 200) << garbage;
  auto big_header = srv.http().send_bytes("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200000, 'a') +
                                              "\r\n\r\n",
                                          std::chrono::seconds(5));
  EXPECT_NE(big_header.status, 200) << big_header;
  auto chunked = srv.http().send_bytes("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                       "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                                       std::chrono::seconds(5));
  EXPECT_NE(chunked.status, 200) << chunked;
  EXPECT_NE(chunked.status, 201) << chunked;
  expect_still_serving();
}

TEST_F(http_bad_input_test, ChunkedBodyOverTheLimitIsPayloadTooLarge) {
  std::string chunk(64 * 1024, 'x');
  std::string req =
      "POST /api/v1/groups HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/json\r\nAuthorization: Bearer " +
      srv.token("alice") + "\r\n\r\n";
  std::string body = "{\"name\":\"" + std::string(20 * chunk.size(), 'x') + "\"}";
  for (std::size_t i = 0; i < body.size(); i += chunk.size()) {
    auto piece = body.substr(i, chunk.size());
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    req += size + piece + "\r\n";
  }
  req += "0\r\n\r\n";
  expect_json_error(srv.http().send_bytes(req, std::chrono::seconds(10)), 413, "payload_too_large");
  expect_still_serving();
}

TEST_F(http_bad_input_test, BadCredentialsInHeadersAreUnauthorized) {
  std::vector<std::string> headers{"Bearer", "Bearer ", "Bearer not-a-token", "Basic YWxpY2U6cHc=", "bearer",
                                   "Bearer " + std::string(5000, 'A')};
  for (auto const& auth : headers) {
    SCOPED_TRACE(auth);
    auto r = srv.http().request(http::verb::get, "/api/v1/me", std::nullopt, {{}, {{"Authorization", auth}}});
    expect_json_error(r, 401, "unauthorized");
  }
  auto cookie = srv.http().request(http::verb::get, "/api/v1/me", std::nullopt,
                                   {{}, {{"Cookie", "peerchat_session=forged; other=1"}}});
  expect_json_error(cookie, 401, "unauthorized");
  expect_still_serving();
}

}  // namespace
}  // namespace peerchat::test
