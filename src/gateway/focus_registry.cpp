// SPDX-License-Identifier: MIT
// The focus registry.
#include "focus_registry.hpp"
#include <algorithm>

namespace peerchat::gateway {

void focus_registry::set(connection const* c, user_id u, group_id g, millis_t now) {
  std::lock_guard lock(mutex_);
  auto& list = by_user_[u];
  auto it = std::find_if(list.begin(), list.end(), [c](entry const& e) { return e.conn == c; });
  entry fresh_entry{c, g, now + lifetime_.count()};
  if (it == list.end())
    list.push_back(fresh_entry);
  else
    *it = fresh_entry;
}

void focus_registry::clear(connection const* c, user_id u) {
  std::lock_guard lock(mutex_);
  auto found = by_user_.find(u);
  if (found == by_user_.end()) return;
  auto& list = found->second;
  std::erase_if(list, [c](entry const& e) { return e.conn == c; });
  if (list.empty()) by_user_.erase(found);
}

bool focus_registry::fresh(user_id u, group_id g, millis_t now) const {
  std::lock_guard lock(mutex_);
  auto found = by_user_.find(u);
  if (found == by_user_.end()) return false;
  return std::any_of(found->second.begin(), found->second.end(),
                     [&](entry const& e) { return e.group == g && e.expires_at > now; });
}

std::size_t focus_registry::size() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto const& [u, list] : by_user_) n += list.size();
  return n;
}

}  // namespace peerchat::gateway
