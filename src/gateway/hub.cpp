// SPDX-License-Identifier: MIT
// The in-process fan-out hub.
#include "hub.hpp"
#include "peerchat/protocol/wire.hpp"
#include <algorithm>
#include <nlohmann/json.hpp>

namespace peerchat::gateway {

namespace {
std::shared_ptr<const std::string> frame_of(nlohmann::ordered_json const& j) {
  return std::make_shared<const std::string>(j.dump());
}
}  // namespace

void hub::load(std::vector<std::pair<group_id, user_id>> const& memberships) {
  std::lock_guard lock(mutex_);
  for (auto [g, u] : memberships) {
    members_[g].insert(u);
    groups_[u].insert(g);
  }
}

void hub::add(std::shared_ptr<connection> const& c) {
  bool first;
  {
    std::lock_guard lock(mutex_);
    auto& list = connections_[c->user()];
    first = list.empty();
    list.push_back(c);
  }
  if (first) presence_changed(c->user(), true);
}

void hub::remove(connection const* c) {
  bool last = false;
  user_id u{};
  {
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
      auto& list = it->second;
      auto pos = std::find_if(list.begin(), list.end(), [c](auto const& p) { return p.get() == c; });
      if (pos == list.end()) continue;
      list.erase(pos);
      if (list.empty()) {
        u = it->first;
        last = true;
        connections_.erase(it);
      }
      break;
    }
  }
  if (last) presence_changed(u, false);
}

void hub::collect_members(group_id g, std::vector<std::shared_ptr<connection>>& out) const {
  auto m = members_.find(g);
  if (m == members_.end()) return;
  for (user_id u : m->second)
    if (auto c = connections_.find(u); c != connections_.end())
      out.insert(out.end(), c->second.begin(), c->second.end());
}

void hub::publish(std::vector<event> const& events) {
  // One hand-over per connection per batch: each connection gets its share of the batch in
  // commit order, and writes it out together.
  std::vector<std::shared_ptr<connection>> order;  // connections in order of first event
  std::unordered_map<connection const*, std::vector<event>> share;
  std::vector<std::shared_ptr<connection>> targets;
  std::uint64_t delivered = 0;
  for (auto const& e : events) {
    targets.clear();
    {
      std::lock_guard lock(mutex_);
      switch (e.kind) {
        case event_kind::member_joined:
          members_[e.group].insert(e.subject);
          groups_[e.subject].insert(e.group);
          collect_members(e.group, targets);
          break;
        case event_kind::member_left:
        case event_kind::member_removed:
          // The member still hears of their own removal; nothing after it.
          collect_members(e.group, targets);
          members_[e.group].erase(e.subject);
          groups_[e.subject].erase(e.group);
          break;
        default:
          collect_members(e.group, targets);
      }
    }
    for (auto& c : targets) {
      auto& mine = share[c.get()];
      if (mine.empty()) order.push_back(std::move(c));
      mine.push_back(e);
    }
    delivered += targets.size();
  }
  for (auto const& c : order) c->deliver_events(std::move(share[c.get()]));
  deliveries.fetch_add(delivered, std::memory_order_relaxed);
}

void hub::typing(group_id g, user_id from) {
  auto frame = frame_of({{"type", "typing"}, {"group_id", raw(g)}, {"user_id", raw(from)}});
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    collect_members(g, targets);
  }
  for (auto const& c : targets)
    if (c->user() != from) c->deliver_frame(frame);
}

void hub::read_marker(user_id u, group_id g, seq_t seq) {
  auto own = frame_of({{"type", "read"}, {"group_id", raw(g)}, {"seq", seq}});
  auto others = frame_of({{"type", "read"}, {"group_id", raw(g)}, {"user_id", raw(u)}, {"seq", seq}});
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    collect_members(g, targets);
    // Not a member any more (a marker that raced a removal): only their own devices hear it.
    if (!members_.contains(g) || !members_.at(g).contains(u))
      if (auto c = connections_.find(u); c != connections_.end()) targets.insert(targets.end(), c->second.begin(), c->second.end());
  }
  for (auto const& c : targets) c->deliver_frame(c->user() == u ? own : others);
}

void hub::user_updated(user const& u) {
  to_peers(u.id, frame_of({{"type", "user_updated"}, {"user", protocol::public_profile_json(u)}}));
}

void hub::collect_peers(user_id u, std::unordered_set<user_id>& out) const {
  out.insert(u);
  if (auto gs = groups_.find(u); gs != groups_.end())
    for (group_id g : gs->second)
      if (auto m = members_.find(g); m != members_.end()) out.insert(m->second.begin(), m->second.end());
}

void hub::to_peers(user_id u, std::shared_ptr<const std::string> const& frame) {
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    std::unordered_set<user_id> peers;
    collect_peers(u, peers);
    for (user_id p : peers)
      if (auto c = connections_.find(p); c != connections_.end())
        targets.insert(targets.end(), c->second.begin(), c->second.end());
  }
  for (auto const& c : targets) c->deliver_frame(frame);
}

void hub::set_presence_waker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  presence_waker_ = std::move(waker);
}

bool hub::note_presence(user_id u, bool online) {
  auto [it, fresh] = presence_pending_.insert_or_assign(u, online);
  if (fresh) presence_order_.push_back(u);
  if (presence_flush_due_ || !presence_waker_) return false;
  presence_flush_due_ = true;
  return true;
}

void hub::presence_changed(user_id u, bool online) {
  std::function<void()> wake;
  bool now = false;
  {
    std::lock_guard lock(mutex_);
    if (note_presence(u, online)) wake = presence_waker_;
    now = !presence_waker_;
  }
  if (wake) wake();
  if (now) flush_presence();
}

namespace {
struct index_list_hash {
  std::size_t operator()(std::vector<std::uint32_t> const& v) const noexcept {
    std::size_t h = 1469598103934665603ull;
    for (auto i : v) h = (h ^ i) * 1099511628211ull;
    return h;
  }
};
}  // namespace

// Each pending change goes to every connection of everyone else sharing a group with its user.
// Connections that get the same changes (all members of one group, in a connect storm) share
// one frame, so a flush costs one string per distinct set of changes, not per connection.
void hub::flush_presence() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<std::pair<user_id, bool>> changes;
  std::vector<std::shared_ptr<connection>> targets;
  std::vector<std::vector<std::uint32_t>> share;  // per target: indices into changes
  {
    std::lock_guard lock(mutex_);
    presence_flush_due_ = false;
    changes.reserve(presence_order_.size());
    for (user_id u : presence_order_) changes.emplace_back(u, presence_pending_.at(u));
    presence_order_.clear();
    presence_pending_.clear();
    std::unordered_map<connection const*, std::size_t> slot;
    std::unordered_set<user_id> peers;
    for (std::uint32_t i = 0; i < changes.size(); ++i) {
      peers.clear();
      collect_peers(changes[i].first, peers);
      for (user_id p : peers) {
        // Never to the user's own connections: a change is their first connection opening
        // (whose ready lists them) or their last closing (none left).
        if (p == changes[i].first) continue;
        auto c = connections_.find(p);
        if (c == connections_.end()) continue;
        for (auto const& conn : c->second) {
          auto [it, fresh] = slot.try_emplace(conn.get(), targets.size());
          if (fresh) {
            targets.push_back(conn);
            share.emplace_back();
          }
          share[it->second].push_back(i);
        }
      }
    }
  }
  if (targets.empty()) return;
  std::vector<std::string> pieces;  // {"user_id":N,"online":B} per change
  pieces.reserve(changes.size());
  for (auto [u, online] : changes)
    pieces.push_back("{\"user_id\":" + std::to_string(raw(u)) + ",\"online\":" + (online ? "true}" : "false}"));
  std::unordered_map<std::vector<std::uint32_t>, std::shared_ptr<const std::string>, index_list_hash> frames;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    auto& frame = frames[share[t]];
    if (!frame) {
      auto const& list = share[t];
      std::string text;
      if (list.size() == 1) {  // one change: the plain frame every client knows
        auto const& p = pieces[list[0]];
        text = "{\"type\":\"presence\"," + p.substr(1);
      } else {
        text = "{\"type\":\"presence_batch\",\"changes\":[";
        for (std::size_t k = 0; k < list.size(); ++k) {
          if (k) text += ',';
          text += pieces[list[k]];
        }
        text += "]}";
      }
      frame = std::make_shared<const std::string>(std::move(text));
    }
    targets[t]->deliver_presence(frame);
  }
}

std::vector<user_id> hub::online_peers(user_id u) const {
  std::vector<user_id> out;
  {
    std::lock_guard lock(mutex_);
    std::unordered_set<user_id> peers;
    collect_peers(u, peers);
    for (user_id p : peers)
      if (connections_.contains(p)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool hub::is_member(group_id g, user_id u) const {
  std::lock_guard lock(mutex_);
  auto m = members_.find(g);
  return m != members_.end() && m->second.contains(u);
}

bool hub::is_online(user_id u) const {
  std::lock_guard lock(mutex_);
  return connections_.contains(u);
}

std::vector<group_id> hub::groups_of(user_id u) const {
  std::lock_guard lock(mutex_);
  auto gs = groups_.find(u);
  if (gs == groups_.end()) return {};
  return {gs->second.begin(), gs->second.end()};
}

void hub::close_session(session_id s) {
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto const& [u, list] : connections_)
      for (auto const& c : list)
        if (c->session() == s) targets.push_back(c);
  }
  for (auto const& c : targets) c->close_with(4001, "logged out");
}

void hub::close_all(std::uint16_t code, std::string const& reason) {
  std::vector<std::shared_ptr<connection>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto const& [u, list] : connections_) targets.insert(targets.end(), list.begin(), list.end());
  }
  for (auto const& c : targets) c->close_with(code, reason);
}

void hub::clear() {
  std::unordered_map<user_id, std::vector<std::shared_ptr<connection>>> dropped;
  std::function<void()> waker;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(connections_);
    waker.swap(presence_waker_);  // it points at the server's timer, which goes with the io_context
    presence_order_.clear();
    presence_pending_.clear();
  }
}

std::size_t hub::connection_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto const& [u, list] : connections_) n += list.size();
  return n;
}

}  // namespace peerchat::gateway
