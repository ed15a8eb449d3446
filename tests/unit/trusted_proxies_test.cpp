// SPDX-License-Identifier: MIT
// Issue 10 item 7: the client address behind a reverse proxy, believed only from a trusted
// proxy; CIDR parsing and matching for IPv4 and IPv6.
#include "gateway/trusted_proxies.hpp"

#include <gtest/gtest.h>

namespace peerchat::gateway {
namespace {

namespace ip = boost::asio::ip;
ip::address a(char const* text) { return ip::make_address(text); }

TEST(trusted_proxies_test, CidrsOfBothFamiliesMatchTheirRangesOnly) {
  auto v4 = cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(a("10.1.255.3")));
  EXPECT_FALSE(v4->contains(a("10.2.0.1")));
  EXPECT_TRUE(v4->contains(a("::ffff:10.1.2.3"))) << "an IPv4 peer seen on an IPv6 socket";
  EXPECT_FALSE(v4->contains(a("::1")));

  auto odd = cidr::parse("192.168.1.128/25");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(a("192.168.1.200")));
  EXPECT_FALSE(odd->contains(a("192.168.1.127")));

  auto v6 = cidr::parse("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(a("fd12:3456::1")));
  EXPECT_FALSE(v6->contains(a("fe80::1")));
  EXPECT_FALSE(v6->contains(a("10.0.0.1")));

  auto one = cidr::parse("2001:db8::7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->prefix, 128u);
  EXPECT_TRUE(one->contains(a("2001:db8::7")));
  EXPECT_FALSE(one->contains(a("2001:db8::8")));

  EXPECT_TRUE(cidr::parse("0.0.0.0/0")->contains(a("203.0.113.1")));
  for (char const* bad : {"", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/8x", "example.org", "10.0.0/8",
                          "/8"})
    EXPECT_FALSE(cidr::parse(bad)) << bad;
}

TEST(trusted_proxies_test, AListParsesCommasAndSpacesAndRejectsABadEntry) {
  trusted_proxies p("127.0.0.1, ::1  172.16.0.0/12");
  EXPECT_TRUE(p.contains(a("127.0.0.1")));
  EXPECT_TRUE(p.contains(a("::1")));
  EXPECT_TRUE(p.contains(a("172.20.0.1")));
  EXPECT_FALSE(p.contains(a("127.0.0.2")));
  EXPECT_TRUE(trusted_proxies("").empty());
  EXPECT_THROW(trusted_proxies("10.0.0.0/8, nonsense"), std::runtime_error);
}

TEST(trusted_proxies_test, ForwardedHeadersFromAnUntrustedPeerAreIgnored) {
  trusted_proxies p("127.0.0.1");
  EXPECT_EQ(p.client_address(a("198.51.100.4"), "", "203.0.113.9"), a("198.51.100.4"));
  EXPECT_EQ(p.client_address(a("198.51.100.4"), "for=203.0.113.9", ""), a("198.51.100.4"));
  EXPECT_EQ(trusted_proxies().client_address(a("127.0.0.1"), "", "203.0.113.9"), a("127.0.0.1"))
      << "no trusted proxies: never read";
}

TEST(trusted_proxies_test, FromATrustedProxyTheRightMostUntrustedHopIsTheClient) {
  trusted_proxies p("127.0.0.1, 10.0.0.0/8");
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "203.0.113.9"), a("203.0.113.9"));
  // The client forged the left part; the proxy appended the real address on the right.
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "1.2.3.4, 203.0.113.9"), a("203.0.113.9"));
  // Two proxies in a row: skip the inner trusted hop.
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "203.0.113.9, 10.0.0.5"), a("203.0.113.9"));
  // Ports and brackets as proxies write them.
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "203.0.113.9:5123"), a("203.0.113.9"));
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "[2001:db8::1]:443"), a("2001:db8::1"));
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "2001:db8::1"), a("2001:db8::1"));
  // No header, or garbage: the proxy itself (the safe side: it is shared, never spoofed).
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", ""), a("127.0.0.1"));
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "", "1.2.3.4, unknown"), a("127.0.0.1"));
  // An IPv4 peer on an IPv6 socket.
  EXPECT_EQ(p.client_address(a("::ffff:127.0.0.1"), "", "203.0.113.9"), a("203.0.113.9"));
}

TEST(trusted_proxies_test, TheForwardedHeaderWinsAndIsReadFromTheRight) {
  trusted_proxies p("127.0.0.1");
  EXPECT_EQ(p.client_address(a("127.0.0.1"), R"(for=1.2.3.4;proto=http, For="[2001:db8::9]:4711";by=x)", "198.51.100.1"),
            a("2001:db8::9"));
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "for=203.0.113.7:80", ""), a("203.0.113.7"));
  EXPECT_EQ(p.client_address(a("127.0.0.1"), "proto=https", ""), a("127.0.0.1")) << "no for=: nothing to believe";
}

}  // namespace
}  // namespace peerchat::gateway
