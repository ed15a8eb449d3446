// SPDX-License-Identifier: MIT
// Who is connected and which groups each user is in; fans committed events out.
#pragma once
#include "connection.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/user.hpp"
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace peerchat::gateway {

// Thread safety: every method locks mutex_ for its bookkeeping only; connections are
// called after the lock is released, so a slow or closing connection never blocks the hub.
//
// The hub keeps its own copy of the membership table (loaded at start, then maintained
// from membership events), so the decision "who receives this event" and "which groups a
// new connection is subscribed to" are both made under one lock, in commit order.
class hub {
 public:
  // memberships: every (group, user) pair in the store at start.
  void load(std::vector<std::pair<group_id, user_id>> const& memberships);

  // Registers a connection (its user's groups come from the membership copy); the user
  // becomes online with their first connection.
  void add(std::shared_ptr<connection> const& c);
  void remove(connection const* c);

  // Presence changes (a user's first connection came, their last went) are collected and
  // sent to the other users sharing a group with them together by flush_presence(): one frame per recipient connection per flush, a plain
  // `presence` frame when it carries one change, else a `presence_batch`. The waker is called
  // (outside the lock) when a change becomes pending and no flush is due yet; it must arrange
  // one flush_presence() soon (the server runs it after a short timer). Without a waker each
  // change is flushed at once.
  void set_presence_waker(std::function<void()> waker);
  void flush_presence();
  // Who is online among the users sharing a group with u (u included when online), ascending:
  // `ready`'s `online`.
  std::vector<user_id> online_peers(user_id u) const;

  // Called by the writer after each commit, with the batch's events in commit order.
  void publish(std::vector<event> const& events);

  // Ephemeral: typing goes to the group's other members; presence to everyone sharing a group.
  void typing(group_id g, user_id from);
  // The user's read marker moved: echoed to their own connections so other devices update
  // ({"type":"read","group_id","seq"}), and told to the group's other members with the
  // reader's id ({"type":"read","group_id","user_id","seq"}) for "seen by".
  void read_marker(user_id u, group_id g, seq_t seq);

  // A profile changed (name, about line, picture): {"type":"user_updated","user":{…}} to
  // everyone sharing a group with them, their own other devices included.
  void user_updated(user const& u);

  bool is_member(group_id g, user_id u) const;
  bool is_online(user_id u) const;
  std::vector<group_id> groups_of(user_id u) const;
  // Closes every connection of a session (logout) with 4001.
  void close_session(session_id s);
  // Closes every connection (shutdown) with 1001.
  void close_all(std::uint16_t code, std::string const& reason);
  std::size_t connection_count() const;
  // Forgets every connection (after the I/O threads stopped, before the io_context goes:
  // a connection must not outlive the io_context its socket belongs to).
  void clear();

  std::atomic<std::uint64_t> deliveries{0};

 private:
  // Records a presence change for the next flush. Requires mutex_; true when the waker
  // must be called.
  bool note_presence(user_id u, bool online);
  void presence_changed(user_id u, bool online);
  // Adds the ids of everyone sharing a group with u (u included) to out. Requires mutex_.
  void collect_peers(user_id u, std::unordered_set<user_id>& out) const;
  // Sends an ephemeral frame to every connection of everyone sharing a group with u (u included).
  void to_peers(user_id u, std::shared_ptr<const std::string> const& frame);
  // Appends the connections of every member of g to out. Requires mutex_.
  void collect_members(group_id g, std::vector<std::shared_ptr<connection>>& out) const;

  mutable std::mutex mutex_;
  // All guarded by mutex_.
  std::unordered_map<group_id, std::unordered_set<user_id>> members_;
  std::unordered_map<user_id, std::unordered_set<group_id>> groups_;
  std::unordered_map<user_id, std::vector<std::shared_ptr<connection>>> connections_;
  // Pending presence changes, latest state per user, in order of first change.
  std::vector<user_id> presence_order_;
  std::unordered_map<user_id, bool> presence_pending_;
  bool presence_flush_due_ = false;  // the waker was called and its flush has not started
  std::function<void()> presence_waker_;
  // Serialises flushes, so each connection gets a user's changes in order.
  std::mutex flush_mutex_;
};

}  // namespace peerchat::gateway
