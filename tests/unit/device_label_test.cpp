// SPDX-License-Identifier: MIT
// The device label of a User-Agent, for the devices list: real agents of the common browsers.
#include "peerchat/domain/device_label.hpp"
#include <gtest/gtest.h>
#include <string>

namespace peerchat {
namespace {

struct sample {
  char const* user_agent;
  char const* label;
};

TEST(DeviceLabel, NamesTheCommonBrowsersAndSystems) {
  sample const samples[] = {
      {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
       "Chrome on Android"},
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
       "Mobile/15E148 Safari/604.1",
       "Safari on iPhone"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on Windows"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
       "Chrome on Windows"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
       "Edg/120.0.2210.61",
       "Edge on Windows"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
       "Safari on Mac"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
       "OPR/105.0.0.0",
       "Opera on Mac"},
      {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on Linux"},
      {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/119.0 Chrome/119.0 Safari/537.36",
       "Chromium on Linux"},
      {"Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 "
       "Mobile/15E148 Safari/604.1",
       "Chrome on iPad"},
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 "
       "Mobile/15E148 Safari/605.1.15",
       "Firefox on iPhone"},
      {"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
       "Chrome/115.0.0.0 Mobile Safari/537.36",
       "Samsung Internet on Android"},
      {"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox on Android"},
      {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
       "Chrome on ChromeOS"},
      {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
       "Chrome on Linux"},
  };
  for (auto const& s : samples) EXPECT_EQ(device_label(s.user_agent), s.label) << s.user_agent;
}

TEST(DeviceLabel, ScriptsAndUnknownAgentsGetAPlainLabel) {
  EXPECT_EQ(device_label("curl/8.4.0"), "curl");
  EXPECT_EQ(device_label("python-requests/2.31.0"), "Python");
  EXPECT_EQ(device_label(""), "Unknown device");
  EXPECT_EQ(device_label("peerchat-tests"), "Unknown device");
  EXPECT_EQ(device_label("SomeBot (Linux)"), "Browser on Linux");
}

TEST(DeviceLabel, OnlyTheStartOfAHugeAgentIsRead) {
  std::string huge(100'000, 'x');
  EXPECT_EQ(device_label(huge + " Firefox/121.0 (Windows)"), "Unknown device");
  EXPECT_EQ(device_label("Firefox/121.0 " + huge), "Firefox");
}

}  // namespace
}  // namespace peerchat
