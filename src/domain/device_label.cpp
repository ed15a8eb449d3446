// SPDX-License-Identifier: MIT
// The device label: the browser is the most specific product token that names one (Edge and
// Opera say "Chrome" too, Chrome says "Safari" too, so the order of the checks matters); the
// system is the first platform token that names one (iPads that ask for the desktop site say
// "Macintosh": they are labelled Mac, as the browser itself claims).
#include "peerchat/domain/device_label.hpp"
#include <array>
#include <utility>

namespace peerchat {

namespace {
bool has(std::string_view ua, std::string_view token) { return ua.find(token) != std::string_view::npos; }

std::string_view browser_of(std::string_view ua) {
  // Most specific first.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> browsers{{
      {"EdgA/", "Edge"},
      {"EdgiOS/", "Edge"},
      {"Edg/", "Edge"},
      {"Edge/", "Edge"},
      {"OPR/", "Opera"},
      {"OPiOS/", "Opera"},
      {"SamsungBrowser/", "Samsung Internet"},
      {"YaBrowser/", "Yandex Browser"},
      {"Vivaldi/", "Vivaldi"},
      {"FxiOS/", "Firefox"},
      {"Firefox/", "Firefox"},
      {"CriOS/", "Chrome"},
      {"Chromium/", "Chromium"},
      {"HeadlessChrome/", "Chrome"},
      {"Chrome/", "Chrome"},
      {"Safari/", "Safari"},
  }};
  for (auto const& [token, name] : browsers)
    if (has(ua, token)) return name;
  if (has(ua, "curl/")) return "curl";
  if (has(ua, "python-requests/") || has(ua, "Python-urllib/") || has(ua, "aiohttp/")) return "Python";
  return {};
}

std::string_view system_of(std::string_view ua) {
  if (has(ua, "iPhone")) return "iPhone";
  if (has(ua, "iPad")) return "iPad";
  if (has(ua, "iPod")) return "iPod";
  if (has(ua, "Android")) return "Android";
  if (has(ua, "CrOS")) return "ChromeOS";
  if (has(ua, "Windows")) return "Windows";
  if (has(ua, "Macintosh") || has(ua, "Mac OS X")) return "Mac";
  if (has(ua, "Linux") || has(ua, "X11")) return "Linux";
  return {};
}
}  // namespace

std::string device_label(std::string_view user_agent) {
  std::string_view ua = user_agent.substr(0, 512);
  std::string_view browser = browser_of(ua);
  std::string_view system = system_of(ua);
  if (browser.empty() && system.empty()) return "Unknown device";
  if (browser.empty()) return "Browser on " + std::string(system);
  if (system.empty()) return std::string(browser);
  return std::string(browser) + " on " + std::string(system);
}

}  // namespace peerchat
