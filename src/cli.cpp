// SPDX-License-Identifier: MIT
// Commands and configuration parsing.
#include "cli.hpp"
#include "healthcheck.hpp"
#include "log_format.hpp"
#include "peerchat/store/backup.hpp"
#include "peerchat/store/data_dir.hpp"
#include "peerchat/store/data_dir_lock.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/gateway/server.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/user_admin.hpp"
#include "peerchat/service/validation.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/migrations.hpp"
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <spdlog/spdlog.h>

namespace peerchat::cli {

namespace {

struct option {
  std::string_view flag;  // without the leading --
  std::string_view env;
  std::string_view help;
  std::function<void(config&, std::string const&)> set;
  bool is_switch = false;  // takes no value on the command line (--flag); env/config: true/false
};

// A switch: given alone on the command line it is "", which means on.
bool to_bool(std::string const& value, std::string_view name) {
  if (value.empty() || value == "1" || value == "true" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "no") return false;
  throw std::runtime_error(std::string(name) + " must be true or false, got '" + value + "'");
}

std::int64_t to_int(std::string const& value, std::string_view name, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < min || v > max)
    throw std::runtime_error(std::string(name) + " must be an integer in " + std::to_string(min) + "–" + std::to_string(max) +
                             ", got '" + value + "'");
  return v;
}

double to_double(std::string const& value, std::string_view name) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || v <= 0) throw std::runtime_error(std::string(name) + " must be a positive number");
  return v;
}

std::vector<option> const& options() {
  static std::vector<option> const table{
      {"listen", "PEERCHAT_LISTEN", "ADDR:PORT to listen on (default 127.0.0.1:8080)",
       [](config& c, std::string const& v) {
         auto colon = v.rfind(':');
         if (colon == std::string::npos) throw std::runtime_error("--listen must be ADDR:PORT, got '" + v + "'");
         std::string host = v.substr(0, colon);
         if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
         c.listen_host = host;
         c.listen_port = static_cast<std::uint16_t>(to_int(v.substr(colon + 1), "--listen port", 0, 65535));
       }},
      {"data-dir", "PEERCHAT_DATA_DIR", "directory of the SQLite database (default ./data)",
       [](config& c, std::string const& v) { c.data_dir = v; }},
      {"public-url", "PEERCHAT_PUBLIC_URL", "URL users reach the server at, for invite links and the Origin check",
       [](config& c, std::string const& v) { c.public_url = v; }},
      {"tls-cert", "PEERCHAT_TLS_CERT", "PEM certificate chain, to serve HTTPS directly",
       [](config& c, std::string const& v) { c.tls_cert = v; }},
      {"tls-key", "PEERCHAT_TLS_KEY", "PEM private key for --tls-cert", [](config& c, std::string const& v) { c.tls_key = v; }},
      {"log-format", "PEERCHAT_LOG_FORMAT", "text (default) or json, one object per line",
       [](config& c, std::string const& v) {
         if (v != "text" && v != "json") throw std::runtime_error("--log-format must be text or json");
         c.log_format = v;
       }},
      {"io-threads", "PEERCHAT_IO_THREADS", "threads serving sockets (default 1)",
       [](config& c, std::string const& v) { c.io_threads = static_cast<int>(to_int(v, "--io-threads", 1, 64)); }},
      {"worker-threads", "PEERCHAT_WORKER_THREADS", "threads running store reads for requests (default 4)",
       [](config& c, std::string const& v) { c.worker_threads = static_cast<int>(to_int(v, "--worker-threads", 1, 64)); }},
      {"max-message-chars", "PEERCHAT_MAX_MESSAGE_CHARS", "longest message body in characters (default 8000)",
       [](config& c, std::string const& v) { c.limits.message_chars = to_int(v, "--max-message-chars", 1, 100000); }},
      {"max-request-bytes", "PEERCHAT_MAX_REQUEST_BYTES", "largest HTTP request body (default 1048576)",
       [](config& c, std::string const& v) { c.limits.request_bytes = to_int(v, "--max-request-bytes", 1024, 64 << 20); }},
      {"max-frame-bytes", "PEERCHAT_MAX_FRAME_BYTES", "largest WebSocket frame (default 65536)",
       [](config& c, std::string const& v) { c.limits.frame_bytes = to_int(v, "--max-frame-bytes", 1024, 16 << 20); }},
      {"queue-bytes", "PEERCHAT_QUEUE_BYTES", "outgoing queue per connection before 1008 (default 1048576)",
       [](config& c, std::string const& v) { c.limits.queue_bytes = to_int(v, "--queue-bytes", 4096, 1LL << 30); }},
      {"send-rate", "PEERCHAT_SEND_RATE", "messages per second per user, sustained (default 10)",
       [](config& c, std::string const& v) { c.limits.send_per_second = to_double(v, "--send-rate"); }},
      {"send-burst", "PEERCHAT_SEND_BURST", "messages per user in a burst (default 30)",
       [](config& c, std::string const& v) { c.limits.send_burst = to_double(v, "--send-burst"); }},
      {"login-rate", "PEERCHAT_LOGIN_RATE", "login attempts per minute per username (default 10)",
       [](config& c, std::string const& v) { c.limits.login_per_minute = to_double(v, "--login-rate"); }},
      {"max-connections", "PEERCHAT_MAX_CONNECTIONS", "open connections in total, HTTP and WebSocket (default 10000)",
       [](config& c, std::string const& v) { c.limits.max_connections = to_int(v, "--max-connections", 1, 1000000); }},
      {"max-connections-per-address", "PEERCHAT_MAX_CONNECTIONS_PER_ADDRESS",
       "open connections per client address (default 256; trusted proxies count only in the total)",
       [](config& c, std::string const& v) {
         c.limits.max_connections_per_address = to_int(v, "--max-connections-per-address", 1, 1000000);
       }},
      {"header-timeout", "PEERCHAT_HEADER_TIMEOUT", "seconds a client has to send a request's headers (default 10)",
       [](config& c, std::string const& v) {
         c.limits.header_timeout = std::chrono::seconds(to_int(v, "--header-timeout", 1, 3600));
       }},
      {"http-rate", "PEERCHAT_HTTP_RATE", "HTTP requests per second per client address, sustained (default 20)",
       [](config& c, std::string const& v) { c.limits.http_per_second = to_double(v, "--http-rate"); }},
      {"http-burst", "PEERCHAT_HTTP_BURST", "HTTP requests per client address in a burst (default 200)",
       [](config& c, std::string const& v) { c.limits.http_burst = to_double(v, "--http-burst"); }},
      {"trusted-proxies", "PEERCHAT_TRUSTED_PROXIES",
       "CIDRs of reverse proxies whose X-Forwarded-For/Forwarded is believed (default none)",
       [](config& c, std::string const& v) { c.trusted_proxies = v; }},
      {"metrics-token", "PEERCHAT_METRICS_TOKEN", "bearer token that /metrics requires (default: /metrics is off)",
       [](config& c, std::string const& v) { c.metrics_token = v; }},
      {"metrics-listen", "PEERCHAT_METRICS_LISTEN", "ADDR:PORT serving /metrics and /healthz only, without a token",
       [](config& c, std::string const& v) { c.metrics_listen = v; }},
      {"edit-rate", "PEERCHAT_EDIT_RATE", "message edits per minute per user, sustained (default 30)",
       [](config& c, std::string const& v) { c.limits.edit_per_minute = to_double(v, "--edit-rate"); }},
      {"edit-burst", "PEERCHAT_EDIT_BURST", "message edits per user in a burst (default 10)",
       [](config& c, std::string const& v) { c.limits.edit_burst = to_double(v, "--edit-burst"); }},
      {"react-rate", "PEERCHAT_REACT_RATE", "reaction changes per minute per user, sustained (default 60)",
       [](config& c, std::string const& v) { c.limits.react_per_minute = to_double(v, "--react-rate"); }},
      {"react-burst", "PEERCHAT_REACT_BURST", "reaction changes per user in a burst (default 30)",
       [](config& c, std::string const& v) { c.limits.react_burst = to_double(v, "--react-burst"); }},
      {"search-rate", "PEERCHAT_SEARCH_RATE", "searches per minute per user, sustained (default 30)",
       [](config& c, std::string const& v) { c.limits.search_per_minute = to_double(v, "--search-rate"); }},
      {"search-burst", "PEERCHAT_SEARCH_BURST", "searches per user in a burst (default 15)",
       [](config& c, std::string const& v) { c.limits.search_burst = to_double(v, "--search-burst"); }},
      {"accept-rate", "PEERCHAT_ACCEPT_RATE", "invite accepts per minute per user or per address for new accounts (default 10)",
       [](config& c, std::string const& v) { c.limits.accept_per_minute = to_double(v, "--accept-rate"); }},
      {"accept-burst", "PEERCHAT_ACCEPT_BURST", "invite accepts in a burst, per user or address (default 20)",
       [](config& c, std::string const& v) { c.limits.accept_burst = to_double(v, "--accept-burst"); }},
      {"rate-limit-keys", "PEERCHAT_RATE_LIMIT_KEYS", "keys each rate-limit table keeps at most (default 10000)",
       [](config& c, std::string const& v) { c.limits.limiter_keys = to_int(v, "--rate-limit-keys", 100, 10'000'000); }},
      {"group-creation", "PEERCHAT_GROUP_CREATION", "who may create groups: admins (default) or everyone",
       [](config& c, std::string const& v) {
         if (v != "admins" && v != "everyone") throw std::runtime_error("--group-creation must be admins or everyone");
         c.group_creation = v;
       }},
      {"writer-queue", "PEERCHAT_WRITER_QUEUE", "store writes queued before more are refused (default 10000)",
       [](config& c, std::string const& v) { c.limits.writer_queue_jobs = to_int(v, "--writer-queue", 16, 10'000'000); }},
      {"worker-queue", "PEERCHAT_WORKER_QUEUE", "store tasks queued or running before new ones are refused (default 8192)",
       [](config& c, std::string const& v) { c.limits.worker_tasks = to_int(v, "--worker-queue", 1, 1 << 24); }},
      {"frame-rate", "PEERCHAT_FRAME_RATE", "WebSocket frames other than sends per second per connection (default 10)",
       [](config& c, std::string const& v) { c.limits.frames_per_second = to_double(v, "--frame-rate"); }},
      {"frame-burst", "PEERCHAT_FRAME_BURST", "WebSocket frames other than sends per connection in a burst (default 60)",
       [](config& c, std::string const& v) { c.limits.frames_burst = to_double(v, "--frame-burst"); }},
      {"user-frame-rate", "PEERCHAT_USER_FRAME_RATE", "WebSocket frames other than sends per second per user (default 30)",
       [](config& c, std::string const& v) { c.limits.user_frames_per_second = to_double(v, "--user-frame-rate"); }},
      {"user-frame-burst", "PEERCHAT_USER_FRAME_BURST", "WebSocket frames other than sends per user in a burst (default 180)",
       [](config& c, std::string const& v) { c.limits.user_frames_burst = to_double(v, "--user-frame-burst"); }},
      {"write-stall", "PEERCHAT_WRITE_STALL", "seconds one WebSocket write may take before 1008 (default 30)",
       [](config& c, std::string const& v) { c.limits.write_stall = std::chrono::seconds(to_int(v, "--write-stall", 1, 3600)); }},
      {"focus-seconds", "PEERCHAT_FOCUS_SECONDS", "seconds a client's focus on a group holds off its pushes unless renewed (default 60)",
       [](config& c, std::string const& v) { c.focus_lifetime = std::chrono::seconds(to_int(v, "--focus-seconds", 1, 3600)); }},
      {"push-allow-loopback", "PEERCHAT_PUSH_ALLOW_LOOPBACK",
       "also accept push endpoints on 127.0.0.1 (for tests only; off by default)",
       [](config& c, std::string const& v) { c.push.allow_loopback = to_bool(v, "--push-allow-loopback"); }, true},
      {"push-content", "PEERCHAT_PUSH_CONTENT", "full (default) or minimal: pushes carry ids only, no text or names",
       [](config& c, std::string const& v) {
         if (v != "full" && v != "minimal") throw std::runtime_error("--push-content must be full or minimal");
         c.push.minimal_content = v == "minimal";
       }},
      {"push-subject", "PEERCHAT_PUSH_SUBJECT", "contact for push services, mailto: or https: (default: the public URL)",
       [](config& c, std::string const& v) {
         if (!v.starts_with("mailto:") && !v.starts_with("https:"))
           throw std::runtime_error("--push-subject must start with mailto: or https:");
         c.push.subject = v;
       }},
      {"push-queue", "PEERCHAT_PUSH_QUEUE", "pushes waiting to be sent before the oldest is dropped (default 10000)",
       [](config& c, std::string const& v) { c.push.queue = to_int(v, "--push-queue", 1, 10'000'000); }},
      {"push-in-flight", "PEERCHAT_PUSH_IN_FLIGHT", "requests to push services at once (default 32)",
       [](config& c, std::string const& v) { c.push.in_flight = to_int(v, "--push-in-flight", 1, 10'000); }},
      {"push-timeout", "PEERCHAT_PUSH_TIMEOUT", "seconds one request to a push service may take (default 10)",
       [](config& c, std::string const& v) { c.push.timeout = std::chrono::seconds(to_int(v, "--push-timeout", 1, 600)); }},
      {"push-attempts", "PEERCHAT_PUSH_ATTEMPTS", "tries of one push on 429, 5xx or network errors (default 5)",
       [](config& c, std::string const& v) { c.push.max_attempts = static_cast<int>(to_int(v, "--push-attempts", 1, 100)); }},
      {"push-ttl", "PEERCHAT_PUSH_TTL", "seconds a push service keeps an undelivered push (default 86400)",
       [](config& c, std::string const& v) { c.push.ttl = std::chrono::seconds(to_int(v, "--push-ttl", 0, 2'419'200)); }},
      {"attachment-max-bytes", "PEERCHAT_ATTACHMENT_MAX_BYTES", "largest upload in bytes (default 26214400, 25 MiB)",
       [](config& c, std::string const& v) { c.attachments.max_bytes = to_int(v, "--attachment-max-bytes", 1, std::int64_t{1} << 40); }},
      {"attachment-quota-bytes", "PEERCHAT_ATTACHMENT_QUOTA_BYTES", "bytes all stored attachments may take together (default 10 GiB)",
       [](config& c, std::string const& v) { c.attachments.quota_bytes = to_int(v, "--attachment-quota-bytes", 1, std::int64_t{1} << 50); }},
      {"max-image-pixels", "PEERCHAT_MAX_IMAGE_PIXELS", "width x height an uploaded image may decode to (default 50000000)",
       [](config& c, std::string const& v) { c.attachments.max_image_pixels = to_int(v, "--max-image-pixels", 1, std::int64_t{1} << 40); }},
      {"media-workers", "PEERCHAT_MEDIA_WORKERS", "uploads decoded or remuxed at once, off the I/O threads (default 2)",
       [](config& c, std::string const& v) { c.attachments.media_workers = static_cast<int>(to_int(v, "--media-workers", 1, 64)); }},
      {"media-queue", "PEERCHAT_MEDIA_QUEUE", "uploads waiting for a media worker before new ones are refused (default 64)",
       [](config& c, std::string const& v) { c.attachments.media_queue = to_int(v, "--media-queue", 1, 100'000); }},
      {"upload-rate", "PEERCHAT_UPLOAD_RATE", "uploads per minute per user (default 30)",
       [](config& c, std::string const& v) { c.attachments.uploads_per_minute = to_double(v, "--upload-rate"); }},
      {"upload-burst", "PEERCHAT_UPLOAD_BURST", "uploads per user in a burst (default 20)",
       [](config& c, std::string const& v) { c.attachments.uploads_burst = to_double(v, "--upload-burst"); }},
      {"upload-orphan-seconds", "PEERCHAT_UPLOAD_ORPHAN_SECONDS", "seconds an upload never attached is kept (default 86400)",
       [](config& c, std::string const& v) { c.attachments.orphan_after = std::chrono::seconds(to_int(v, "--upload-orphan-seconds", 1, 365 * 86400)); }},
      {"upload-idle-seconds", "PEERCHAT_UPLOAD_IDLE_SECONDS", "seconds an upload's or download's body may stall (default 30)",
       [](config& c, std::string const& v) { c.attachments.idle_timeout = std::chrono::seconds(to_int(v, "--upload-idle-seconds", 1, 3600)); }},
  };
  return table;
}

option const* find_option(std::string_view name) {
  for (auto const& o : options())
    if (o.flag == name) return &o;
  return nullptr;
}

// "key = value" lines, '#' comments; keys are the flag names without "--".
void apply_config_file(config& c, std::string const& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read config file " + path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    auto eq = line.find('=');
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    if (trim(line).empty()) continue;
    if (eq == std::string::npos) throw std::runtime_error(path + ":" + std::to_string(number) + ": expected key = value");
    std::string key = trim(line.substr(0, eq));
    auto const* o = find_option(key);
    if (!o) throw std::runtime_error(path + ":" + std::to_string(number) + ": unknown setting '" + key + "'");
    o->set(c, trim(line.substr(eq + 1)));
  }
}

// Splits "--name=value" / "--name value" flags; returns name → value in order.
std::vector<std::pair<std::string, std::string>> parse_flags(std::vector<std::string> const& args,
                                                             std::vector<std::string_view> const& switches) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string const& a = args[i];
    if (!a.starts_with("--")) throw std::runtime_error("unexpected argument '" + a + "'");
    std::string name = a.substr(2), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (std::find(switches.begin(), switches.end(), name) == switches.end()) {
      if (i + 1 >= args.size()) throw std::runtime_error("--" + name + " needs a value");
      value = args[++i];
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

int serve(std::vector<std::string> const& args) {
  for (auto const& a : args)
    if (a == "--help" || a == "-h") {
      std::cout << serve_help();
      return 0;
    }
  config cfg = load_config(args);
  set_log_format(cfg.log_format);
  crypto::init();
  store::secure_data_dir(cfg.data_dir);       // 0700, the database files 0600 (older installs too)
  store::data_dir_lock lock(cfg.data_dir);    // one server per data dir; `restore` refuses meanwhile
  gateway::server server(cfg);
  auto port = server.start();
  server.install_signal_handlers();
  config shown = cfg;
  shown.listen_port = port;
  spdlog::info("peerchat {} listening on {}:{} (data in {}, public URL {})", PEERCHAT_VERSION, cfg.listen_host, port,
               cfg.data_dir.string(), shown.effective_public_url());
  server.wait();
  server.stop();
  spdlog::info("peerchat stopped");
  return 0;
}

int admin_create_user(std::vector<std::string> const& args) {
  std::string data_dir = "./data", username, display_name;
  if (char const* env = std::getenv("PEERCHAT_DATA_DIR"); env && *env) data_dir = env;
  bool admin = false, password_stdin = false;
  for (auto const& [name, value] : parse_flags(args, {"admin", "password-stdin"})) {
    if (name == "data-dir") data_dir = value;
    else if (name == "username") username = value;
    else if (name == "display-name") display_name = value;
    else if (name == "admin") admin = true;
    else if (name == "password-stdin") password_stdin = true;
    else throw std::runtime_error("unknown option --" + name);
  }
  if (username.empty()) throw std::runtime_error("--username is required");
  if (!password_stdin) throw std::runtime_error("--password-stdin is required (the password is read from standard input)");
  std::string password((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (password.ends_with("\r\n")) password.resize(password.size() - 2);
  else if (password.ends_with('\n')) password.pop_back();

  auto name = service::check_username(username);
  if (!name) throw std::runtime_error(name.error().message);
  auto display = service::check_display_name(display_name.empty() ? username : display_name);
  if (!display) throw std::runtime_error(display.error().message);
  auto pw = service::check_password(password);
  if (!pw) throw std::runtime_error(pw.error().message);

  crypto::init();
  store::secure_data_dir(data_dir);
  store::database db(store::database_file(data_dir), store::database::mode::read_write);
  store::migrate(db);
  std::string hash = crypto::hash_password(*pw);
  store::transaction tx(db);
  auto u = service::insert_user(db, *name, *display, hash, admin, system_clock().now());
  if (!u) throw std::runtime_error(u.error().message);
  tx.commit();
  std::cout << "created user " << u->username << " (id " << raw(u->id) << (admin ? ", server admin" : "") << ")\n";
  return 0;
}

// Prints a one-time reset link for a user (docs/self-hosting.md): for the admin who cannot
// log in either, and works while the server runs (the store's own locking, like create-user).
int admin_reset_link(std::vector<std::string> const& args) {
  std::string data_dir = "./data", username, public_url;
  if (char const* env = std::getenv("PEERCHAT_DATA_DIR"); env && *env) data_dir = env;
  if (char const* env = std::getenv("PEERCHAT_PUBLIC_URL"); env && *env) public_url = env;
  for (auto const& [name, value] : parse_flags(args, {})) {
    if (name == "data-dir") data_dir = value;
    else if (name == "username") username = value;
    else if (name == "public-url") public_url = value;
    else throw std::runtime_error("unknown option --" + name);
  }
  if (username.empty()) throw std::runtime_error("--username is required");
  config cfg;
  cfg.public_url = public_url;
  crypto::init();
  store::secure_data_dir(data_dir);
  store::database db(store::database_file(data_dir), store::database::mode::read_write);
  store::migrate(db);
  store::transaction tx(db);
  auto& st = db.prepare("SELECT id, disabled FROM users WHERE username = ?1 AND deleted_at IS NULL").bind(1, username);
  if (!st.step()) throw std::runtime_error("no user named '" + username + "'");
  user_id u{st.int64(0)};
  bool disabled = st.int64(1) != 0;
  st.reset();
  if (disabled) throw std::runtime_error("'" + username + "' is disabled: enable the account first");
  auto code = service::make_account_code(db, u, "reset", system_clock().now());
  tx.commit();
  std::cout << cfg.effective_public_url() << "/reset/" << code.code << "\n"
            << "(one use, valid for 24 hours; a new link replaces this one)\n";
  return 0;
}

int backup(std::vector<std::string> const& args) {
  std::string data_dir = "./data", to;
  if (char const* env = std::getenv("PEERCHAT_DATA_DIR"); env && *env) data_dir = env;
  for (auto const& [name, value] : parse_flags(args, {})) {
    if (name == "data-dir") data_dir = value;
    else if (name == "to") to = value;
    else throw std::runtime_error("unknown option --" + name);
  }
  if (to.empty()) throw std::runtime_error("--to FILE is required");
  store::backup(data_dir, to);
  std::cout << "backup written to " << to << "\n";
  return 0;
}

// The restore procedure: the server must be stopped; see docs/self-hosting.md.
int restore(std::vector<std::string> const& args) {
  std::string data_dir = "./data", from;
  if (char const* env = std::getenv("PEERCHAT_DATA_DIR"); env && *env) data_dir = env;
  for (auto const& [name, value] : parse_flags(args, {})) {
    if (name == "data-dir") data_dir = value;
    else if (name == "from") from = value;
    else throw std::runtime_error("unknown option --" + name);
  }
  if (from.empty()) throw std::runtime_error("--from FILE is required (a file written by peerchat backup)");
  auto epoch = store::restore(from, data_dir);
  std::cout << "restored " << from << " into " << data_dir << " (new epoch " << epoch
            << ": clients will drop what they cached and reload)\n";
  return 0;
}

// Exit 0 when the server configured by the environment (or --listen) answers /healthz.
int check_health(std::vector<std::string> const& args) {
  config cfg = load_config(args);
  std::string host = cfg.listen_host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  bool ok = healthcheck(host, cfg.listen_port, !cfg.tls_cert.empty());
  if (!ok) std::cerr << "peerchat: not healthy at " << host << ":" << cfg.listen_port << "\n";
  return ok ? 0 : 1;
}

constexpr char usage[] =
    "usage: peerchat <command> [options]\n"
    "commands:\n"
    "  serve [options]            run the server (peerchat serve --help)\n"
    "  admin create-user --data-dir DIR --username NAME [--display-name N] [--admin] --password-stdin\n"
    "  admin reset-link --data-dir DIR --username NAME [--public-url URL]  print a one-time password reset link\n"
    "  backup --data-dir DIR --to FILE   one archive of the database and attachments, while the server runs\n"
    "  restore --data-dir DIR --from FILE  replace the database and attachments with a backup (server stopped)\n"
    "  healthcheck [--listen ADDR:PORT]  exit 0 when the server answers /healthz (for HEALTHCHECK)\n"
    "  --version                  print the version\n";

}  // namespace

std::string serve_help() {
  std::string out = "usage: peerchat serve [--config FILE] [options]\n\n"
                    "Each option may also be set by its environment variable or, without the\n"
                    "leading --, as 'name = value' in the config file. Flags win over the\n"
                    "environment, which wins over the file.\n\n";
  out += "  --config FILE (PEERCHAT_CONFIG)\n      a config file of 'name = value' lines\n";
  for (auto const& o : options()) {
    out += "  --" + std::string(o.flag) + " (" + std::string(o.env) + ")\n      " + std::string(o.help) + "\n";
  }
  return out;
}

config load_config(std::vector<std::string> const& args) {
  config cfg;
  std::vector<std::string_view> switches;
  for (auto const& o : options())
    if (o.is_switch) switches.push_back(o.flag);
  auto flags = parse_flags(args, switches);
  std::string file;
  if (char const* env = std::getenv("PEERCHAT_CONFIG")) file = env;
  for (auto const& [name, value] : flags)
    if (name == "config") file = value;
  if (!file.empty()) apply_config_file(cfg, file);
  for (auto const& o : options())
    if (char const* env = std::getenv(std::string(o.env).c_str()); env && *env) o.set(cfg, env);
  for (auto const& [name, value] : flags) {
    if (name == "config") continue;
    auto const* o = find_option(name);
    if (!o) throw std::runtime_error("unknown option --" + name + " (see peerchat serve --help)");
    o->set(cfg, value);
  }
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) throw std::runtime_error("--tls-cert and --tls-key go together");
  return cfg;
}

int run(std::vector<std::string> args) {
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << usage;
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "version") {
      std::cout << "peerchat " << PEERCHAT_VERSION << "\n";
      return 0;
    }
    std::string command = args[0];
    args.erase(args.begin());
    if (command == "serve") return serve(args);
    if (command == "backup") return backup(args);
    if (command == "restore") return restore(args);
    if (command == "healthcheck") return check_health(args);
    if (command == "admin" && !args.empty() && args[0] == "create-user") {
      args.erase(args.begin());
      return admin_create_user(args);
    }
    if (command == "admin" && !args.empty() && args[0] == "reset-link") {
      args.erase(args.begin());
      return admin_reset_link(args);
    }
    std::cerr << "peerchat: unknown command '" << command << "'\n" << usage;
    return 2;
  } catch (std::exception const& e) {
    std::cerr << "peerchat: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace peerchat::cli
