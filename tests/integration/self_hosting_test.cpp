// SPDX-License-Identifier: MIT
// What a self-hoster relies on: /metrics moving under traffic, a backup taken while
// messages flow, and HTTPS served directly with a certificate.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"
#include "peerchat/store/archive.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <csignal>
#include <fstream>
#include <sqlite3.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <thread>

namespace peerchat::test {
namespace {

using self_hosting_test = coaches_test;

TEST_F(self_hosting_test, MetricsMoveUnderTraffic) {
  auto before = srv.http().get("/metrics", test_metrics_token);
  ASSERT_STATUS(before, 200);
  EXPECT_NE(before.header("Content-Type").find("text/plain"), std::string::npos);
  for (char const* name : {"peerchat_connections", "peerchat_events_committed_total", "peerchat_fanout_deliveries_total",
                           "peerchat_slow_consumer_closes_total", "peerchat_rate_limited_frames_total",
                           "peerchat_commit_batch_size_count", "peerchat_commit_latency_seconds_count",
                           "peerchat_database_bytes"})
    EXPECT_GE(metric(before.body, name), 0) << name << " missing from\n" << before.body;

  auto bob = srv.connect("bob");
  auto carol = srv.connect("carol");
  for (int i = 0; i < 5; ++i) srv.send("alice", coaches, "metrics " + std::to_string(i));
  read_events(*bob, coaches, 5, std::chrono::seconds(10));
  read_events(*carol, coaches, 5, std::chrono::seconds(10));

  auto after = srv.http().get("/metrics", test_metrics_token);
  ASSERT_STATUS(after, 200);
  EXPECT_EQ(metric(after.body, "peerchat_connections"), 2);
  EXPECT_GE(metric(after.body, "peerchat_events_committed_total"),
            metric(before.body, "peerchat_events_committed_total") + 5);
  EXPECT_GE(metric(after.body, "peerchat_fanout_deliveries_total"),
            metric(before.body, "peerchat_fanout_deliveries_total") + 10);
  EXPECT_GT(metric(after.body, "peerchat_commit_latency_seconds_count"),
            metric(before.body, "peerchat_commit_latency_seconds_count"));
  EXPECT_GT(metric(after.body, "peerchat_database_bytes"), 0);
}

TEST_F(self_hosting_test, ABackupWhileMessagesFlowHoldsEveryEarlierAck) {
  for (int i = 0; i < 20; ++i) srv.send("alice", coaches, "before " + std::to_string(i));
  std::int64_t acked_before = srv.events("alice", coaches).back()["seq"].get<std::int64_t>();

  std::atomic<bool> stop{false};
  std::atomic<int> sent_during{0};
  std::thread sender([&] {
    for (int i = 0; i < 200 && !stop; ++i) {  // bounded: at most 200 messages
      srv.send("bob", coaches, "during " + std::to_string(i));
      ++sent_during;
    }
  });
  auto copy = srv.data_dir().parent_path() / ("backup-" + std::to_string(::getpid()) + ".db");
  auto r = run_process({peerchat_binary(), "backup", "--data-dir", srv.data_dir().string(), "--to", copy.string()}, "",
                       std::chrono::seconds(60));
  stop = true;
  sender.join();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // The backup is an archive (docs/self-hosting.md): its database is the member peerchat.db.
  auto snapshot = copy;
  snapshot += ".peerchat.db";
  {
    store::tar_reader archive(copy);
    auto first = archive.next();
    ASSERT_TRUE(first && first->name == "peerchat.db");
    archive.extract(snapshot);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(snapshot.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto scalar = [&](char const* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<char const*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(scalar("PRAGMA integrity_check"), "ok");
  auto count = std::stoll(scalar(("SELECT count(*) FROM events WHERE group_id = " + std::to_string(coaches) +
                                  " AND seq <= " + std::to_string(acked_before)).c_str()));
  EXPECT_EQ(count, acked_before) << "every event acked before the backup began is in the copy";
  auto max_seq = std::stoll(scalar("SELECT max(seq) FROM events"));
  auto rows = std::stoll(scalar("SELECT count(*) FROM events"));
  EXPECT_EQ(rows, max_seq) << "the copy is one snapshot: seqs contiguous";
  sqlite3_close(db);
  std::filesystem::remove(copy);
  std::filesystem::remove(snapshot);
}

class tls_test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = srv.data_dir();
    cert_ = (dir.parent_path() / (dir.filename().string() + "-cert.pem")).string();
    key_ = (dir.parent_path() / (dir.filename().string() + "-key.pem")).string();
    auto gen = run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key_, "-out",
                            cert_, "-days", "1", "-subj", "/CN=127.0.0.1"},
                           "", std::chrono::seconds(60));
    ASSERT_EQ(gen.exit_code, 0) << gen.output;
    srv.config().tls_cert = cert_;
    srv.config().tls_key = key_;
    srv.start();
  }
  void TearDown() override {
    srv.stop();
    std::filesystem::remove(cert_);
    std::filesystem::remove(key_);
  }

  // Sends one raw HTTP request over TLS (at most max_version); the whole response, or "".
  std::string https(std::string const& request, int max_version = TLS1_3_VERSION) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(srv.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string status;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, max_version);
      SSL_CTX_set_security_level(ctx, 0);  // let the client offer old versions, so the server refuses them
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, fd);
      if (SSL_connect(ssl) == 1) {
        SSL_write(ssl, request.data(), static_cast<int>(request.size()));
        char buf[4096];
        for (int i = 0; i < 100; ++i) {  // bounded; the server closes after the answer
          int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0) break;
          status.append(buf, n);
        }
      }
      SSL_free(ssl);
      SSL_CTX_free(ctx);
    }
    ::close(fd);
    return status;
  }

  std::string healthz_status(int max_version) {
    return status_line(https("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", max_version));
  }

  // POSTs a JSON body over HTTPS (with a bearer token when given); the whole response.
  std::string https_post(std::string const& path, json const& body, std::string const& token = {}) {
    std::string text = body.dump();
    std::string auth = token.empty() ? "" : "Authorization: Bearer " + token + "\r\n";
    return https("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth +
                 "Content-Type: application/json\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" +
                 text);
  }
  static std::string status_line(std::string const& response) { return response.substr(0, response.find("\r\n")); }
  static json body_of(std::string const& response) {
    return json::parse(response.substr(response.find("\r\n\r\n") + 4), nullptr, false);
  }

  test_server srv;
  std::string cert_, key_;
};

TEST_F(tls_test, ServesHttpsWithTls12AndUpAndRefusesOlder) {
  EXPECT_EQ(healthz_status(TLS1_3_VERSION), "HTTP/1.1 200 OK");
  EXPECT_EQ(healthz_status(TLS1_2_VERSION), "HTTP/1.1 200 OK");
  EXPECT_EQ(healthz_status(TLS1_1_VERSION), "") << "TLS 1.1 must be refused";
}

TEST_F(tls_test, HstsIsSentUnderTls) {
  auto page = https("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(page.find("\r\nStrict-Transport-Security: max-age=31536000\r\n"), std::string::npos) << page;
  auto api = https("GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(api.find("\r\nStrict-Transport-Security: "), std::string::npos) << api;
}

TEST_F(tls_test, TheSessionCookieIsSecureUnderTls) {
  srv.create_user("alice", true);
  auto r = https_post("/api/v1/sessions", {{"username", "alice"}, {"password", password_for("alice")}});
  EXPECT_EQ(status_line(r), "HTTP/1.1 201 Created");
  auto cookie = r.substr(r.find("Set-Cookie: "), r.find("\r\n", r.find("Set-Cookie: ")) - r.find("Set-Cookie: "));
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
}

// Over TLS the session's gathered writes go through Beast's ssl_stream (which flattens them
// before encrypting): a burst sent without waiting arrives whole, in order, with its acks.
TEST_F(tls_test, WebSocketOverTlsCarriesABurstOfEventsAndAcks) {
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  namespace net = boost::asio;
  srv.create_user("alice", true);
  auto r = https_post("/api/v1/sessions", {{"username", "alice"}, {"password", password_for("alice")}});
  ASSERT_EQ(status_line(r), "HTTP/1.1 201 Created") << r;
  auto token = body_of(r).at("token").get<std::string>();
  r = https_post("/api/v1/groups", {{"name", "tls"}}, token);
  ASSERT_EQ(status_line(r), "HTTP/1.1 201 Created") << r;
  auto group = body_of(r).at("id").get<std::int64_t>();

  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);  // the test's self-signed certificate
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(ws).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), srv.port()));
  ws.next_layer().handshake(net::ssl::stream_base::client);
  beast::get_lowest_layer(ws).expires_never();
  // Every read below is bounded: no data for 10 s closes the stream and fails the read.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.idle_timeout = std::chrono::seconds(10);
  ws.set_option(timeouts);
  ws.handshake("127.0.0.1", "/api/v1/ws");
  ws.write(net::buffer(json{{"type", "hello"}, {"token", token}}.dump()));
  beast::flat_buffer buffer;
  auto next_frame = [&] {
    buffer.clear();
    ws.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  };
  ASSERT_EQ(next_frame().value("type", ""), "ready");

  constexpr int n = 200;
  for (int i = 0; i < n; ++i)
    ws.write(net::buffer(send_frame(group, "tls-" + std::to_string(i), "over TLS #" + std::to_string(i)).dump()));
  std::vector<std::int64_t> seqs;
  int acks = 0;
  for (int frames = 0; frames < 4 * n && (seqs.size() < n || acks < n); ++frames) {
    auto f = next_frame();
    if (f.value("type", "") == "event" && f.value("kind", "") == "message") seqs.push_back(f["seq"].get<std::int64_t>());
    if (f.value("type", "") == "ack") ++acks;
  }
  EXPECT_EQ(acks, n);
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(n));
  for (std::size_t i = 1; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], seqs[i - 1] + 1) << "out of order at " << i;
  ws.close(websocket::close_code::normal);
}

TEST_F(tls_test, TheHealthcheckCommandWorksOverTls) {
  auto r = run_process({peerchat_binary(), "healthcheck", "--listen", "127.0.0.1:" + std::to_string(srv.port()),
                        "--tls-cert", cert_, "--tls-key", key_},
                       "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// --- /metrics: never open to whoever reaches the port -----------------------------------
// Behind a reverse proxy every request comes from loopback, so "loopback only" would protect
// nothing: /metrics needs a bearer token, or a listener of its own.

TEST(metrics_access_test, WithoutATokenOrAListenerMetricsAreNotFound) {
  test_server srv;
  srv.config().metrics_token.clear();
  srv.start();
  EXPECT_STATUS(srv.http().get("/metrics"), 404);
  EXPECT_STATUS(srv.http().get("/metrics", "guess"), 404);
}

TEST(metrics_access_test, WithATokenOnlyThatTokenReadsThem) {
  test_server srv;
  srv.start();
  auto none = srv.http().get("/metrics");
  EXPECT_STATUS(none, 401);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_STATUS(srv.http().get("/metrics", "wrong-token"), 401);
  EXPECT_STATUS(srv.http().get("/metrics", test_metrics_token), 200);
}

TEST(metrics_access_test, AMetricsListenerServesMetricsAndHealthOnly) {
  test_server srv;
  srv.config().metrics_token.clear();
  srv.config().metrics_listen = "127.0.0.1:0";
  srv.start();
  ASSERT_NE(srv.metrics_port(), 0);
  http_client metrics(srv.metrics_port());
  auto m = metrics.get("/metrics");
  ASSERT_STATUS(m, 200);
  EXPECT_GE(metric(m.body, "peerchat_open_sockets"), 1);
  EXPECT_STATUS(metrics.get("/healthz"), 200);
  EXPECT_STATUS(metrics.get("/api/v1/me"), 404);
  EXPECT_STATUS(metrics.get("/"), 404);
  EXPECT_STATUS(srv.http().get("/metrics"), 404) << "not on the public listener";
}

TEST(web_headers_test, TheCspLetsThePageConnectToItsOwnOriginOnly) {
  test_server srv;
  srv.start();
  auto page = srv.http().get("/");
  ASSERT_STATUS(page, 200);
  auto csp = page.header("Content-Security-Policy");
  EXPECT_NE(csp.find("connect-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("ws:"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("wss:"), std::string::npos) << csp;
  EXPECT_EQ(page.header("Strict-Transport-Security"), "") << "no HSTS over plain HTTP";
}

// --- SIGHUP reloads the certificate (certbot renewals) -------------------------------------

// The subject of the certificate a fresh TLS connection is served ("" when none).
std::string served_subject(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string subject;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      if (X509* cert = SSL_get1_peer_certificate(ssl)) {
        char buf[256] = {};
        X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf - 1);
        subject = buf;
        X509_free(cert);
      }
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  ::close(fd);
  return subject;
}

TEST(tls_reload_test, SighupServesTheRenewedCertificateToNewConnections) {
  temp_dir dir;
  auto make_cert = [&](std::string const& name) {
    auto cert = (dir.path() / (name + "-cert.pem")).string(), key = (dir.path() / (name + "-key.pem")).string();
    auto r = run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                          cert, "-days", "1", "-subj", "/CN=" + name},
                         "", std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return std::pair{cert, key};
  };
  auto [cert_a, key_a] = make_cert("peerchat-a");
  auto [cert_b, key_b] = make_cert("peerchat-b");
  auto cert = (dir.path() / "live-cert.pem").string(), key = (dir.path() / "live-key.pem").string();
  std::filesystem::copy_file(cert_a, cert);
  std::filesystem::copy_file(key_a, key);

  binary_server server(dir.path() / "data", {"--tls-cert", cert, "--tls-key", key});
  server.spawn(free_port());
  ASSERT_TRUE(wait_until([&] { return served_subject(server.port()) == "/CN=peerchat-a"; }, 20s)) << server.log();

  // Renewed files in place (as certbot does), then SIGHUP.
  std::filesystem::copy_file(cert_b, cert, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(key_b, key, std::filesystem::copy_options::overwrite_existing);
  server.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return served_subject(server.port()) == "/CN=peerchat-b"; }, 10s)) << server.log();
  ASSERT_TRUE(server.running()) << server.log();
  EXPECT_NE(server.log().find("TLS certificate reloaded"), std::string::npos) << server.log();

  // A broken renewal: the error is logged and the working certificate stays.
  { std::ofstream(cert, std::ios::trunc) << "not a certificate\n"; }
  server.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return server.log().find("TLS reload failed") != std::string::npos; }, 10s))
      << server.log();
  EXPECT_EQ(served_subject(server.port()), "/CN=peerchat-b");
  server.signal(SIGTERM);
  EXPECT_TRUE(server.wait_exit(20s).has_value());
}

}  // namespace
}  // namespace peerchat::test
