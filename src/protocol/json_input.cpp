// SPDX-License-Identifier: MIT
// Depth-limited JSON parsing and typed field access.
#include "peerchat/protocol/json_input.hpp"

namespace peerchat::protocol {

namespace {
// nlohmann's own DOM builder, stopped as soon as the document nests too deep.
class depth_limited_sax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  depth_limited_sax(json& out, int max_depth)
      : nlohmann::detail::json_sax_dom_parser<json>(out, false), max_depth_(max_depth) {}

  bool start_object(std::size_t n) {
    if (++depth_ > max_depth_) return too_deep();
    return json_sax_dom_parser::start_object(n);
  }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool start_array(std::size_t n) {
    if (++depth_ > max_depth_) return too_deep();
    return json_sax_dom_parser::start_array(n);
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t pos, std::string const& token, Exception const& ex) {
    message_ = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (auto p = message_.find("] "); p != std::string::npos) message_ = message_.substr(p + 2);
    return json_sax_dom_parser::parse_error(pos, token, ex);
  }
  std::string const& message() const { return message_; }

 private:
  bool too_deep() {
    message_ = "JSON nested deeper than " + std::to_string(max_depth_) + " levels";
    return false;
  }
  int max_depth_;
  int depth_ = 0;
  std::string message_;
};

error field_error(char const* key, char const* what) {
  return make_error(errc::bad_request, std::string("field '") + key + "' " + what);
}
}  // namespace

result<json> parse_json(std::string_view text, int max_depth) {
  // nlohmann's lexer takes a raw NUL for the end of input and would ignore what follows;
  // valid JSON never holds one (inside strings it is written \u0000).
  if (text.find('\0') != std::string_view::npos)
    return result<json>(boost::system::in_place_error, make_error(errc::bad_request, "malformed JSON: NUL byte"));
  json out;
  depth_limited_sax sax(out, max_depth);
  bool ok = json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json, true, false);
  if (!ok || sax.is_errored()) {
    std::string msg = sax.message().empty() ? "malformed JSON" : "malformed JSON: " + sax.message();
    return result<json>(boost::system::in_place_error, make_error(errc::bad_request, msg));
  }
  return result<json>(boost::system::in_place_value, std::move(out));
}

result<json> parse_object(std::string_view text, int max_depth) {
  auto j = parse_json(text, max_depth);
  if (j && !j->is_object())
    return result<json>(boost::system::in_place_error, make_error(errc::bad_request, "expected a JSON object"));
  return j;
}

result<std::string> required_string(json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(key, "is required");
  if (!it->is_string()) return field_error(key, "must be a string");
  return it->get<std::string>();
}

result<std::optional<std::string>> optional_string(json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return field_error(key, "must be a string");
  return std::optional<std::string>{it->get<std::string>()};
}

result<std::int64_t> required_int(json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(key, "is required");
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return field_error(key, "is out of range");
  if (!it->is_number_integer()) return field_error(key, "must be an integer");
  return it->get<std::int64_t>();
}

result<std::optional<std::int64_t>> optional_int(json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<std::int64_t>{};
  auto v = required_int(obj, key);
  if (!v) return v.error();
  return std::optional<std::int64_t>{*v};
}

result<std::optional<bool>> optional_bool(json const& obj, char const* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean()) return make_error(errc::bad_request, std::string("field '") + key + "' must be true or false");
  return std::optional<bool>{it->get<bool>()};
}

result<std::vector<std::string>> attachment_ids(json const& obj) {
  std::vector<std::string> ids;
  auto it = obj.find("attachments");
  if (it == obj.end() || it->is_null()) return ids;
  constexpr char const* shape = "field 'attachments' must be an array of 1 to 10 upload ids";
  if (!it->is_array() || it->empty() || it->size() > 10) return make_error(errc::bad_request, shape);
  for (auto const& v : *it) {
    if (!v.is_string() || v.get_ref<std::string const&>().empty() || v.get_ref<std::string const&>().size() > 64)
      return make_error(errc::bad_request, shape);
    ids.push_back(v.get<std::string>());
  }
  return ids;
}

}  // namespace peerchat::protocol
