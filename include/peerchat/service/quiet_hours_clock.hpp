// SPDX-License-Identifier: MIT
// Quiet hours against the wall clock of the user's IANA time zone.
#pragma once
#include "peerchat/core/ids.hpp"
#include "peerchat/service/notifications.hpp"
#include <optional>
#include <string>

namespace peerchat::service {

// True when tz names a zone of the system's time-zone database (tzdata).
bool known_time_zone(std::string const& tz);

// Minutes after local midnight at `t` in tz (0–1439), nullopt for an unknown zone.
std::optional<int> local_minute_of_day(std::string const& tz, millis_t t);

// True when `t` falls in [start, end) of q's local day; a window whose end is before its
// start spans midnight (22:00–07:00). An unknown zone is never quiet.
bool in_quiet_hours(quiet_hours const& q, millis_t t);

}  // namespace peerchat::service
