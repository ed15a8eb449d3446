// SPDX-License-Identifier: MIT
// Reading JSON from clients: depth-limited parsing and typed field access.
#pragma once
#include "peerchat/core/error.hpp"
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

namespace peerchat::protocol {

using json = nlohmann::json;

// Parses a JSON document. Nesting deeper than max_depth is rejected while parsing, so a
// hostile document is never built (nlohmann recurses when copying or dumping deep values).
// Invalid UTF-8 inside strings is rejected too. Errors are bad_request.
result<json> parse_json(std::string_view text, int max_depth);

// Parses a JSON object (anything else is bad_request).
result<json> parse_object(std::string_view text, int max_depth);

// Typed field readers: a missing required field or a wrong type is bad_request naming it.
result<std::string> required_string(json const& obj, char const* key);
result<std::optional<std::string>> optional_string(json const& obj, char const* key);
result<std::int64_t> required_int(json const& obj, char const* key);
result<std::optional<std::int64_t>> optional_int(json const& obj, char const* key);
result<std::optional<bool>> optional_bool(json const& obj, char const* key);  // absent or null → nullopt
// `attachments`: absent → none; else an array of 1–10 upload ids (strings). Whether the ids
// name uploads the sender may attach is the service's question.
result<std::vector<std::string>> attachment_ids(json const& obj);

}  // namespace peerchat::protocol
