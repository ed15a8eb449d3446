// SPDX-License-Identifier: MIT
// Local time in an IANA zone with Howard Hinnant's date/tz (the reference implementation of
// C++20's chrono time zones, which GCC 12's libstdc++ lacks). It reads the system tzdata, so
// zones follow the OS's updates; setenv("TZ") + localtime_r would be the alternative, and it
// is not thread-safe.
#include "peerchat/service/quiet_hours_clock.hpp"
#include <date/tz.h>
#include <chrono>

namespace peerchat::service {

namespace {
// The zone, or nullptr. locate_zone throws for an unknown name (and when tzdata is missing).
date::time_zone const* find_zone(std::string const& tz) {
  if (tz.empty() || tz.size() > 64) return nullptr;
  try {
    return date::locate_zone(tz);
  } catch (std::exception const&) {
    return nullptr;
  }
}
}  // namespace

bool known_time_zone(std::string const& tz) { return find_zone(tz) != nullptr; }

std::optional<int> local_minute_of_day(std::string const& tz, millis_t t) {
  auto const* zone = find_zone(tz);
  if (!zone) return std::nullopt;
  using namespace std::chrono;
  auto local = zone->to_local(date::sys_time<milliseconds>(milliseconds(t)));
  auto since_midnight = local - date::floor<date::days>(local);
  return static_cast<int>(duration_cast<minutes>(since_midnight).count());
}

bool in_quiet_hours(quiet_hours const& q, millis_t t) {
  auto m = local_minute_of_day(q.tz, t);
  if (!m || q.start_minute == q.end_minute) return false;
  if (q.start_minute < q.end_minute) return *m >= q.start_minute && *m < q.end_minute;
  return *m >= q.start_minute || *m < q.end_minute;
}

}  // namespace peerchat::service
