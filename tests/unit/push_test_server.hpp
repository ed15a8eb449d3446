// SPDX-License-Identifier: MIT
// A tiny push service for the push layer's tests: HTTP or HTTPS on 127.0.0.1 port 0, one
// connection at a time, answering each request as the test says and recording it.
#pragma once
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace peerchat::unit {

struct pushed {
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
};

struct push_answer {
  int status = 201;
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;  // read the request, never answer
};

// A throwaway self-signed certificate for 127.0.0.1 (SAN IP:127.0.0.1), made with OpenSSL.
struct test_certificate {
  std::string cert_pem, key_pem;
  test_certificate() {
    EVP_PKEY* key = EVP_EC_gen("prime256v1");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, key, EVP_sha256());
    cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
    key_pem = to_pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(x);
    EVP_PKEY_free(key);
  }
  template <class F>
  static std::string to_pem(F f) {
    BIO* b = BIO_new(BIO_s_mem());
    f(b);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
  }
};

class push_test_server {
 public:
  using answer_fn = std::function<push_answer(std::size_t n, pushed const&)>;

  explicit push_test_server(answer_fn answer, test_certificate const* cert = nullptr)
      : answer_(std::move(answer)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (cert) {
      tls_.emplace(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(cert->cert_pem));
      tls_->use_private_key(boost::asio::buffer(cert->key_pem), boost::asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~push_test_server() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ec);  // unblocks accept()
    thread_.join();
  }

  std::string url(std::string const& path = "/push/abc") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Waits until `n` requests arrived (or `connections` connections), at most `limit`.
  bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return received_.size() >= n; });
  }
  bool wait_for_connections(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return connections_ >= n; });
  }
  std::vector<pushed> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::size_t connections() {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  void serve() {
    namespace http = boost::beast::http;
    for (;;) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket s(io_);
      acceptor_.accept(s, ec);
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        if (!ec) ++connections_;
      }
      changed_.notify_all();
      if (ec) continue;
      try {
        if (tls_) {
          boost::asio::ssl::stream<boost::asio::ip::tcp::socket> st(std::move(s), *tls_);
          st.handshake(boost::asio::ssl::stream_base::server);
          exchange(st);
        } else {
          exchange(s);
        }
      } catch (std::exception const&) {
        // A refused handshake or a closed socket: the client's business.
      }
    }
  }

  template <class Stream>
  void exchange(Stream& st) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(st, buf, req);
    pushed p{std::string(req.target()), {}, req.body()};
    for (auto const& f : req) p.headers[std::string(f.name_string())] = std::string(f.value());
    std::size_t n;
    {
      std::lock_guard lock(mutex_);
      n = received_.size();
      received_.push_back(p);
    }
    changed_.notify_all();
    push_answer a = answer_(n, p);
    if (a.hang) {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, std::chrono::seconds(20), [&] { return stopping_; });
      return;
    }
    http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
    for (auto const& [k, v] : a.headers) res.set(k, v);
    res.set(http::field::connection, "close");
    res.prepare_payload();
    http::write(st, res);
  }

  answer_fn answer_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<pushed> received_;  // guarded by mutex_
  std::size_t connections_ = 0;   // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_
  std::thread thread_;
};

}  // namespace peerchat::unit
