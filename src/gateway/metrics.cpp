// SPDX-License-Identifier: MIT
// Prometheus exposition of the server's counters.
#include "metrics.hpp"
#include <filesystem>

namespace peerchat::gateway {

namespace {
void metric(std::string& out, char const* name, char const* type, char const* help, double value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g\n", value);
  out += buf;
}

void histogram_metric(std::string& out, char const* name, char const* help, histogram const& h) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  out += h.render(name);
}

double bytes_of(std::filesystem::path const& p) {
  std::error_code ec;
  auto n = std::filesystem::file_size(p, ec);
  return ec ? 0.0 : static_cast<double>(n);
}
}  // namespace

std::string render_metrics(app& a) {
  auto stats = a.backend.commits();
  auto db = a.cfg.data_dir / "peerchat.db";
  std::string out;
  metric(out, "peerchat_connections", "gauge", "Open WebSocket connections (after hello).",
         static_cast<double>(a.hub.connection_count()));
  metric(out, "peerchat_events_committed_total", "counter", "Events committed to the group logs.",
         static_cast<double>(stats.events));
  metric(out, "peerchat_commits_total", "counter", "Write transactions committed (each a batch of jobs).",
         static_cast<double>(stats.batches));
  metric(out, "peerchat_fanout_deliveries_total", "counter", "Events queued to connections by the fan-out.",
         static_cast<double>(a.hub.deliveries.load()));
  metric(out, "peerchat_slow_consumer_closes_total", "counter", "Connections closed with 1008 for not keeping up.",
         static_cast<double>(a.slow_consumer_closes.load()));
  metric(out, "peerchat_rate_limited_frames_total", "counter", "Client frames refused by the send rate limit.",
         static_cast<double>(a.rate_limited_frames.load()));
  metric(out, "peerchat_open_sockets", "gauge", "Open HTTP and WebSocket connections, counted by the caps.",
         static_cast<double>(a.connections->open()));
  metric(out, "peerchat_connections_refused_total", "counter",
         "Connections closed at once for max-connections or max-connections-per-address.",
         static_cast<double>(a.connections->refused.load()));
  metric(out, "peerchat_accept_backoffs_total", "counter",
         "Accepts postponed 100 ms because the process was out of file descriptors.",
         static_cast<double>(a.accept_backoffs.load()));
  histogram_metric(out, "peerchat_commit_batch_size", "Jobs committed per transaction (group commit).",
                   a.backend.batch_sizes());
  histogram_metric(out, "peerchat_commit_latency_seconds", "Time from BEGIN to the end of COMMIT, fsync included.",
                   a.backend.commit_seconds());
  metric(out, "peerchat_login_limiter_keys", "gauge", "Keys held by the login rate limits (bounded by --rate-limit-keys per table).",
         static_cast<double>(a.accounts.login_limiter_keys()));
  metric(out, "peerchat_writer_refused_total", "counter", "Store writes refused because the writer queue was full.",
         static_cast<double>(stats.refused));
  auto wal = db;
  wal += "-wal";
  metric(out, "peerchat_database_bytes", "gauge", "Size of the SQLite database file and its WAL.",
         bytes_of(db) + bytes_of(wal));
  auto& push = *a.push_dispatcher;
  metric(out, "peerchat_push_sent_total", "counter", "Web Pushes accepted by a push service.",
         static_cast<double>(push.sent.load()));
  metric(out, "peerchat_push_failed_total", "counter",
         "Web Pushes given up: refused by the push service (4xx), unusable endpoint, or attempts spent.",
         static_cast<double>(push.failed.load()));
  metric(out, "peerchat_push_dropped_total", "counter",
         "Events dropped from the full push queue (--push-queue), oldest first.",
         static_cast<double>(push.dropped.load()));
  metric(out, "peerchat_push_retried_total", "counter", "Web Push retries after 429, 5xx or a network error.",
         static_cast<double>(push.retried.load()));
  metric(out, "peerchat_push_gone_total", "counter", "Push subscriptions deleted after a 404/410 from the push service.",
         static_cast<double>(push.gone.load()));
  metric(out, "peerchat_push_subscriptions", "gauge", "Push subscriptions stored (counted every 15 s).",
         static_cast<double>(push.subscriptions.load()));
  metric(out, "peerchat_attachment_bytes_stored", "gauge",
         "Bytes of stored attachment files and thumbnails, each file once (counted every minute).",
         static_cast<double>(a.attachment_bytes.load()));
  metric(out, "peerchat_attachment_files_stored", "gauge", "Stored attachment files and thumbnails (counted every minute).",
         static_cast<double>(a.attachment_files.load()));
  metric(out, "peerchat_uploads_total", "counter", "Uploads accepted since start.",
         static_cast<double>(a.attachments.uploads_accepted()));
  metric(out, "peerchat_uploads_refused_total", "counter",
         "Uploads refused since start (size, quota, rate, a file that is not what it claims).",
         static_cast<double>(a.attachments.uploads_refused()));
  return out;
}

}  // namespace peerchat::gateway
