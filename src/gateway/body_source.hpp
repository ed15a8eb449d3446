// SPDX-License-Identifier: MIT
// A response body made piece by piece as it is written (GET /groups/{id}/export), so that
// memory stays bounded by one piece however large the whole body is.
#pragma once
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <memory>
#include <optional>
#include <string>

namespace peerchat::gateway {

// Thread safety: next() is called from one worker thread at a time (never an I/O thread:
// it may read the store), and never again after it returned nullopt or threw.
class body_source {
 public:
  virtual ~body_source() = default;
  // The next piece (never empty), or nullopt at the end. Throws when the body cannot be
  // completed; the connection is then closed, so the client sees a cut-off body, never a
  // complete-looking one.
  virtual std::optional<std::string> next() = 0;
};

using stream_head = boost::beast::http::response<boost::beast::http::empty_body>;

// A streamed answer: its status and headers, and where its body comes from.
struct streamed_response {
  stream_head head;
  std::shared_ptr<body_source> source;
};

}  // namespace peerchat::gateway
