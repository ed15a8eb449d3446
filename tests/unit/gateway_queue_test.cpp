// SPDX-License-Identifier: MIT
// The gateway's write path without sockets: the frame headers the session writes itself
// (RFC 6455 §5.2) and the bounded outgoing queue a write takes its frames from.
#include "gateway/frame_stream.hpp"
#include "gateway/outgoing_queue.hpp"
#include <gtest/gtest.h>
#include <vector>

namespace peerchat::gateway {
namespace {

std::vector<int> header_of(std::size_t size) {
  std::array<std::uint8_t, 10> out{};
  std::size_t n = text_frame_header(size, out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

TEST(TextFrameHeader, UsesTheShortestLengthEncoding) {
  EXPECT_EQ(header_of(0), (std::vector<int>{0x81, 0}));
  EXPECT_EQ(header_of(125), (std::vector<int>{0x81, 125}));
  EXPECT_EQ(header_of(126), (std::vector<int>{0x81, 126, 0, 126}));
  EXPECT_EQ(header_of(65535), (std::vector<int>{0x81, 126, 0xff, 0xff}));
  EXPECT_EQ(header_of(65536), (std::vector<int>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(header_of(0x01020304), (std::vector<int>{0x81, 127, 0, 0, 0, 0, 1, 2, 3, 4}));
}

outgoing_queue::frame text(std::size_t n) { return std::make_shared<const std::string>(n, 'x'); }

TEST(OutgoingQueue, CountsBytesAndRefusesPastTheLimit) {
  outgoing_queue q(100);
  EXPECT_TRUE(q.push(text(60)));
  EXPECT_TRUE(q.push(text(40)));
  EXPECT_FALSE(q.push(text(1)));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 100u);
}

TEST(OutgoingQueue, AnEmptyQueueTakesOneFrameLargerThanTheLimit) {
  outgoing_queue q(100);
  EXPECT_TRUE(q.push(text(500)));
  EXPECT_FALSE(q.push(text(1)));
}

TEST(OutgoingQueue, PopsWrittenFramesFromTheFrontInOrder) {
  outgoing_queue q(1 << 20);
  for (std::size_t i = 1; i <= 200; ++i) ASSERT_TRUE(q.push(text(i)));
  q.pop(3);
  EXPECT_EQ(q.at(0)->size(), 4u);
  EXPECT_EQ(q.at(1)->size(), 5u);
  for (std::size_t popped = 3; popped < 150; ++popped) q.pop(1);  // compacts on the way
  EXPECT_EQ(q.size(), 50u);
  EXPECT_EQ(q.at(0)->size(), 151u);
  EXPECT_EQ(q.at(49)->size(), 200u);
  std::size_t expected = 0;
  for (std::size_t i = 151; i <= 200; ++i) expected += i;
  EXPECT_EQ(q.bytes(), expected);
  q.pop(50);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.push(text(7)));
  EXPECT_EQ(q.at(0)->size(), 7u);
}

TEST(OutgoingQueue, DropPendingKeepsTheFramesBeingWritten) {
  outgoing_queue q(1 << 20);
  for (std::size_t i = 1; i <= 5; ++i) ASSERT_TRUE(q.push(text(i)));
  q.drop_pending(2);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 3u);
  EXPECT_EQ(q.at(1)->size(), 2u);
  q.drop_pending(0);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace peerchat::gateway
