// SPDX-License-Identifier: MIT
// The push HTTP(S) client against a real server on 127.0.0.1: answers, certificate
// verification, the SSRF guard, the deadline.
#include "fixture.hpp"
#include "push_test_server.hpp"
#include "peerchat/push/endpoint.hpp"
#include "peerchat/push/http_client.hpp"
#include <future>

namespace peerchat::unit {
namespace {

push::http_response post(push::http_client& c, std::string url, std::string body = "x") {
  std::promise<push::http_response> p;
  auto f = p.get_future();
  c.post({std::move(url), {{"TTL", "60"}}, std::move(body)}, [&](push::http_response r) { p.set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) throw std::runtime_error("no completion");
  return f.get();
}

push::client_options loopback() {
  push::client_options o;
  o.allow_loopback = true;
  o.timeout = std::chrono::seconds(5);
  return o;
}

TEST(PushClient, PostsHeadersAndBodyAndReadsTheAnswer) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{429, {{"Retry-After", "7"}}}; });
  push::http_client client(loopback());
  auto r = post(client, server.url("/push/abc?x=1"), "payload");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, "7");
  auto got = server.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/push/abc?x=1");
  EXPECT_EQ(got[0].body, "payload");
  EXPECT_EQ(got[0].headers["TTL"], "60");
}

TEST(PushClient, HttpsWithATrustedCertificateWorks) {
  test_certificate cert;
  temp_dir dir;
  auto ca = dir.path() / "ca.pem";
  std::ofstream(ca) << cert.cert_pem;
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; }, &cert);
  auto o = loopback();
  o.extra_ca_file = ca.string();
  push::http_client client(o);
  auto r = post(client, server.url());
  EXPECT_EQ(r.status, 201) << r.error;
}

TEST(PushClient, AnUntrustedCertificateIsRefused) {
  test_certificate cert;
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; }, &cert);
  push::http_client client(loopback());  // the system store only
  auto r = post(client, server.url());
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("TLS"), std::string::npos) << r.error;
  EXPECT_TRUE(server.received().empty());
}

TEST(PushClient, LoopbackIsRefusedWithoutTheTestFlag) {
  test_certificate cert;
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201}; }, &cert);
  push::client_options o;
  o.timeout = std::chrono::seconds(5);
  push::http_client client(o);
  auto r = post(client, server.url());
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.refused) << r.error;
  auto plain = post(client, "http://127.0.0.1:" + std::to_string(1) + "/x");
  EXPECT_TRUE(plain.refused);
  // Round trip to prove nothing reached the server: a permitted client gets through now.
  push::http_client allowed(loopback());
  EXPECT_EQ(post(allowed, server.url()).status, 0);  // (untrusted cert: connected, refused by TLS)
  EXPECT_EQ(server.connections(), 1u);                // only that one connection ever arrived
}

TEST(PushClient, TheDeadlineEndsARequestThatGetsNoAnswer) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201, {}, true}; });
  auto o = loopback();
  o.timeout = std::chrono::milliseconds(300);
  push::http_client client(o);
  auto r = post(client, server.url());
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.refused);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST(PushClient, StopCompletesRequestsInFlight) {
  push_test_server server([](std::size_t, pushed const&) { return push_answer{201, {}, true}; });
  auto client = std::make_unique<push::http_client>(loopback());
  std::promise<push::http_response> p;
  client->post({server.url(), {}, "x"}, [&](push::http_response r) { p.set_value(std::move(r)); });
  ASSERT_TRUE(server.wait_for(1));
  client->stop();
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get().status, 0);
}

TEST(PushEndpoint, ParsesOriginsAndRefusesWhatIsNotHttps) {
  auto u = push::parse_endpoint("https://fcm.googleapis.com/fcm/send/abc", false);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->origin, "https://fcm.googleapis.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/fcm/send/abc");
  auto p = push::parse_endpoint("https://push.example:8443/x", false);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->origin, "https://push.example:8443");
  EXPECT_FALSE(push::parse_endpoint("http://push.example/x", false));
  EXPECT_FALSE(push::parse_endpoint("http://127.0.0.1:9/x", false));
  EXPECT_TRUE(push::parse_endpoint("http://127.0.0.1:9/x", true));
  EXPECT_FALSE(push::parse_endpoint("http://localhost:9/x", true));
  EXPECT_FALSE(push::parse_endpoint("https://user@push.example/x", false));
  EXPECT_FALSE(push::parse_endpoint("ftp://push.example/x", false));
  EXPECT_FALSE(push::parse_endpoint("https://push.example:99999/x", false));
}

TEST(PushEndpoint, OnlyPublicAddressesAreAllowed) {
  auto allowed = [](char const* a, bool loop = false) {
    return push::address_allowed(boost::asio::ip::make_address(a), loop);
  };
  for (auto a : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                 "224.0.0.1", "255.255.255.255", "::1", "::", "fc00::1", "fd12::1", "fe80::1", "ff02::1",
                 "::ffff:10.0.0.1", "::ffff:127.0.0.1"})
    EXPECT_FALSE(allowed(a)) << a;
  for (auto a : {"8.8.8.8", "142.250.185.74", "2001:4860:4860::8888"}) EXPECT_TRUE(allowed(a)) << a;
  EXPECT_TRUE(allowed("127.0.0.1", true));
  EXPECT_FALSE(allowed("127.0.0.2", true));
  EXPECT_FALSE(allowed("10.0.0.1", true));
}

}  // namespace
}  // namespace peerchat::unit
