// SPDX-License-Identifier: MIT
// The push dispatcher: a bounded event queue, a planner thread, retries with backoff.
#include "peerchat/push/dispatcher.hpp"
#include "peerchat/core/background_priority.hpp"
#include "peerchat/core/thread_name.hpp"
#include "peerchat/push/encryption.hpp"
#include "peerchat/push/endpoint.hpp"
#include "peerchat/push/payload.hpp"
#include "peerchat/core/base64url.hpp"
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <charconv>
#include <ctime>

namespace peerchat::push {

namespace {
using namespace std::chrono_literals;
constexpr auto first_backoff = 1s;
constexpr auto max_backoff = std::chrono::milliseconds(5min);
constexpr auto max_retry_after = std::chrono::milliseconds(1h);  // a longer wait is not honoured in full
constexpr auto count_every = 15s;

client_options options_for(push_settings const& s, client_options c) {
  c.allow_loopback = s.allow_loopback;
  c.timeout = s.timeout;
  return c;
}

// Retry-After: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); nullopt if neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string const& v, millis_t now) {
  if (v.empty()) return std::nullopt;
  long long secs = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (ec == std::errc{} && p == v.data() + v.size()) return std::chrono::seconds(std::max(0LL, secs));
  std::tm tm{};
  if (!strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
  auto at_ms = static_cast<millis_t>(timegm(&tm)) * 1000;
  return std::chrono::milliseconds(std::max<millis_t>(0, at_ms - now));
}
}  // namespace

dispatcher::dispatcher(push_settings settings, server_keys keys, std::string subject, sources src,
                       peerchat::clock const& clock, client_options client)
    : settings_(std::move(settings)),
      keys_(std::move(keys)),
      signer_(keys_.vapid, std::move(subject)),
      src_(std::move(src)),
      clock_(clock),
      client_(options_for(settings_, std::move(client))) {
  settings_.in_flight = std::max<std::size_t>(1, settings_.in_flight);
  settings_.queue = std::max<std::size_t>(1, settings_.queue);
  settings_.max_attempts = std::max(1, settings_.max_attempts);
  planner_ = std::thread([this] {
    name_this_thread("pc-push-planner");
    lower_this_thread_priority();
    run();
  });
}

dispatcher::~dispatcher() { stop(); }

void dispatcher::enqueue(std::vector<event> const& events) {
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (auto const& e : events) {
      if (e.kind != event_kind::message && e.kind != event_kind::message_deleted) continue;
      if (events_.size() >= settings_.queue) {
        events_.pop_front();  // the oldest is the least useful push
        dropped.fetch_add(1, std::memory_order_relaxed);
      }
      events_.push_back(e);
      any = true;
    }
  }
  if (any) wake_.notify_one();
}

void dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !planner_.joinable()) return;
    stopping_ = true;
    events_.clear();
    ready_.clear();
    retries_.clear();
  }
  wake_.notify_all();
  if (planner_.joinable()) planner_.join();
  client_.stop();  // cancels what is in flight; their answers only count
}

void dispatcher::run() {
  std::unique_lock lock(mutex_);
  auto next_count = std::chrono::steady_clock::now();
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_count && src_.subscription_count) {
      next_count = now + count_every;
      lock.unlock();
      try {
        subscriptions = src_.subscription_count();
      } catch (std::exception const& e) {
        spdlog::error("push: counting subscriptions failed: {}", e.what());
      }
      lock.lock();
      continue;
    }
    while (!retries_.empty() && retries_.begin()->first <= now) {
      ready_.push_back(std::move(retries_.begin()->second));
      retries_.erase(retries_.begin());
    }
    if (!gone_ids_.empty()) {
      auto ids = std::move(gone_ids_);
      gone_ids_.clear();
      lock.unlock();
      for (auto id : ids) {
        try {
          if (src_.subscription_gone) src_.subscription_gone(id);
        } catch (std::exception const& e) {
          spdlog::error("push: deleting subscription {} failed: {}", id, e.what());
        }
      }
      next_count = std::chrono::steady_clock::now();  // the gauge follows at once
      lock.lock();
      continue;
    }
    if (!ready_.empty() && in_flight_ < settings_.in_flight) {
      job j = std::move(ready_.front());
      ready_.pop_front();
      ++in_flight_;
      lock.unlock();
      send(std::move(j));
      lock.lock();
      continue;
    }
    if (ready_.size() < settings_.in_flight && !events_.empty()) {
      event e = std::move(events_.front());
      events_.pop_front();
      lock.unlock();
      std::vector<job> jobs;
      try {
        jobs = plan(e);
      } catch (std::exception const& ex) {
        spdlog::error("push: planning group {} seq {} failed: {}", raw(e.group), e.seq, ex.what());
      }
      lock.lock();
      for (auto& j : jobs) ready_.push_back(std::move(j));
      continue;
    }
    std::optional<time_point> until;
    if (src_.subscription_count) until = next_count;
    if (!retries_.empty()) until = until ? std::min(*until, retries_.begin()->first) : retries_.begin()->first;
    if (until) wake_.wait_until(lock, *until);
    else wake_.wait(lock);
  }
}

std::vector<dispatcher::job> dispatcher::plan(event const& e) {
  if (src_.any_member_subscribed && !src_.any_member_subscribed(e.group)) return {};
  auto wire = nlohmann::json::parse(e.wire ? *e.wire : std::string(), nullptr, false);
  if (wire.is_discarded() || !wire.is_object()) return {};
  bool deletion = e.kind == event_kind::message_deleted;
  result<service::push_audience> audience = make_error(errc::internal, "no audience source");
  message_payload msg;
  seq_t seq = e.seq;
  if (deletion) {
    seq = wire.value("target_seq", seq_t{0});
    if (seq <= 0 || !src_.deletion_audience) return {};
    audience = src_.deletion_audience(e.group, seq);
  } else {
    auto const& sender = wire.contains("sender") && wire["sender"].is_object() ? wire["sender"] : nlohmann::json::object();
    msg.sender = user_id{sender.value("user_id", std::int64_t{0})};
    msg.sender_name = sender.value("display_name", std::string());
    msg.body = wire.value("body", std::string());
    // A photo or a voice note alone still says what it is.
    if (auto files = wire.find("attachments"); msg.body.empty() && files != wire.end()) msg.body = attachments_summary(*files);
    std::vector<user_id> mentioned;  // `mentions` (issue 11); absent on older events
    if (auto it = wire.find("mentions"); it != wire.end() && it->is_array())
      for (auto const& m : *it)
        if (m.is_number_integer()) mentioned.push_back(user_id{m.get<std::int64_t>()});
    // A question (issue 14) reaches members at level `mentions` as a mention does.
    bool question = wire.contains("question");
    if (!src_.message_audience) return {};
    audience = src_.message_audience(e.group, e.seq, msg.sender, mentioned, question);
  }
  if (!audience) {
    spdlog::warn("push: no audience for group {} seq {}: {}", raw(e.group), seq, audience.error().message);
    return {};
  }
  msg.group = e.group;
  msg.group_name = audience->group_name;
  msg.seq = seq;
  std::string topic = keys_.topic(raw(e.group));
  std::vector<job> out;
  for (auto const& r : audience->recipients) {
    // Someone looking at the group right now has seen it; their phone should stay quiet.
    if (!deletion && src_.focused && src_.focused(r.user, e.group)) continue;
    msg.mention = r.mention;
    std::string json = deletion ? deletion_payload_json(e.group, seq) : message_payload_json(msg, settings_.minimal_content);
    for (auto const& s : r.subscriptions) {
      auto url = parse_endpoint(s.endpoint, settings_.allow_loopback);
      auto p256dh = base64url::decode(s.p256dh);
      auto auth = base64url::decode(s.auth);
      std::optional<std::string> body;
      if (url && p256dh && auth) body = encrypt(json, *p256dh, *auth, padded_payload_size);
      if (!body) {
        failed.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("push: subscription {} has an unusable endpoint or keys; skipped", s.id);
        continue;
      }
      out.push_back(job{s.id, s.endpoint, url->origin, topic,
                        deletion ? "low" : (r.mention ? "high" : "normal"), std::move(*body), 0});
    }
  }
  return out;
}

void dispatcher::send(job j) {
  http_request req;
  req.url = j.url;
  req.body = j.body;
  req.headers = {{"Authorization", signer_.authorization(j.origin, clock_.now())},
                 {"TTL", std::to_string(settings_.ttl.count())},
                 {"Urgency", j.urgency},
                 {"Topic", j.topic},
                 {"Content-Encoding", "aes128gcm"},
                 {"Content-Type", "application/octet-stream"}};
  client_.post(std::move(req), [this, j = std::move(j)](http_response r) mutable { on_answer(std::move(j), std::move(r)); });
}

std::chrono::milliseconds dispatcher::backoff(int attempts, std::string const& retry_after) const {
  auto exp = std::chrono::milliseconds(first_backoff) * (1LL << std::min(attempts - 1, 20));
  auto delay = std::min<std::chrono::milliseconds>(exp, max_backoff);
  if (auto ra = parse_retry_after(retry_after, clock_.now())) delay = std::max(delay, std::min(*ra, max_retry_after));
  return delay;
}

// On the client's thread: classify the answer, hand work back to the planner.
void dispatcher::on_answer(job j, http_response r) {
  ++j.attempts;
  bool retry = false;
  if (r.status == 200 || r.status == 201 || r.status == 202) {
    sent.fetch_add(1, std::memory_order_relaxed);
  } else if (r.status == 404 || r.status == 410) {
    gone.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("push: subscription {} is gone ({}); deleting it", j.subscription, r.status);
  } else if (r.status == 429 || r.status >= 500 || (r.status == 0 && !r.refused)) {
    retry = j.attempts < settings_.max_attempts;
    if (!retry) {
      failed.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("push: subscription {}: giving up after {} attempts ({})", j.subscription, j.attempts,
                   r.status ? std::to_string(r.status) : r.error);
    }
  } else {
    failed.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("push: subscription {}: {} {}", j.subscription, r.status ? std::to_string(r.status) : r.error,
                 r.body.substr(0, 200));
  }
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (!stopping_) {
      if (r.status == 404 || r.status == 410) gone_ids_.push_back(j.subscription);
      if (retry) {
        retried.fetch_add(1, std::memory_order_relaxed);
        auto due = std::chrono::steady_clock::now() + backoff(j.attempts, r.retry_after);
        retries_.emplace(due, std::move(j));
      }
    }
  }
  wake_.notify_one();
}

}  // namespace peerchat::push
