// SPDX-License-Identifier: MIT
// A short name for the device behind a User-Agent ("Chrome on Android", "Safari on iPhone"),
// for the list of one's sessions. A small parser of our own: it knows the common browsers and
// systems and falls back to "Unknown browser" / "unknown device" for the rest.
#pragma once
#include <string>
#include <string_view>

namespace peerchat {

// "<browser> on <system>", e.g. "Firefox on Windows"; "Unknown device" for an empty or
// unrecognised agent. Never throws; reads at most the first 512 bytes.
std::string device_label(std::string_view user_agent);

}  // namespace peerchat
