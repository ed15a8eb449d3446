// SPDX-License-Identifier: MIT
// Reading client input: depth-limited JSON parsing, UTF-8 checks, and WebSocket frame decoding.
#include "fixture.hpp"
#include "peerchat/protocol/client_frame.hpp"
#include "peerchat/protocol/json_input.hpp"

namespace peerchat::unit {
namespace {

using protocol::decode_client_frame;
using protocol::parse_json;
using protocol::parse_object;

constexpr int max_depth = 32;

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(int depth) {
  std::string s;
  for (int i = 0; i < depth - 1; ++i) s += "{\"a\":";
  s += "{}";
  s += std::string(depth - 1, '}');
  return s;
}

// ---- parse_json: depth ------------------------------------------------------------------------

TEST(ParseJson, AcceptsNestingOfExactlyTheLimit) {
  EXPECT_OK(parse_json(nested_arrays(32), max_depth));
  EXPECT_OK(parse_json(nested_objects(32), max_depth));
  EXPECT_OK(parse_json("[{\"a\":[{\"b\":[1,2,{\"c\":null}]}]}]", max_depth));
}

TEST(ParseJson, RejectsNestingPastTheLimit) {
  EXPECT_ERRC(parse_json(nested_arrays(33), max_depth), bad_request);
  EXPECT_ERRC(parse_json(nested_objects(33), max_depth), bad_request);
  auto r = parse_json(nested_arrays(33), max_depth);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("32"), std::string::npos) << r.error().message;
}

TEST(ParseJson, DepthCountsNestingNotSiblings) {
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) wide += (i ? "," : "") + nested_arrays(31);
  wide += "]";
  EXPECT_OK(parse_json(wide, max_depth));  // 1000 siblings, each 32 deep with the outer array
}

TEST(ParseJson, RejectsHostileDepthWithoutBuildingIt) {
  // Deep enough to overflow the stack of a recursive parser or destructor.
  EXPECT_ERRC(parse_json(nested_arrays(1'000'000), max_depth), bad_request);
  EXPECT_ERRC(parse_json(std::string(1'000'000, '['), max_depth), bad_request);
  std::string objects;
  for (int i = 0; i < 200'000; ++i) objects += "{\"a\":";
  EXPECT_ERRC(parse_json(objects, max_depth), bad_request);
}

TEST(ParseJson, HonoursASmallerLimit) {
  EXPECT_OK(parse_json(nested_arrays(2), 2));
  EXPECT_ERRC(parse_json(nested_arrays(3), 2), bad_request);
  EXPECT_OK(parse_json("1", 0));
  EXPECT_ERRC(parse_json("[]", 0), bad_request);
}

// ---- parse_json: UTF-8 and syntax ---------------------------------------------------------------

TEST(ParseJson, AcceptsValidUtf8InStrings) {
  auto j = parse_json("{\"name\":\"Grüße 👋 日本\"}", max_depth);
  ASSERT_OK(j);
  EXPECT_EQ(j->at("name"), "Grüße 👋 日本");
  auto escaped = parse_json("\"\\u00e9\\ud83d\\udc4b\"", max_depth);  // é👋 as escapes
  ASSERT_OK(escaped);
  EXPECT_EQ(escaped->get<std::string>(), "é👋");
}

TEST(ParseJson, RejectsInvalidUtf8InStrings) {
  for (std::string bad : std::vector<std::string>{
           "\"\xff\"",                      // never valid
           "\"\xc3\"",                      // truncated
           "\"\xc3\x28\"",                  // bad continuation
           "\"\xc0\xaf\"",                  // overlong '/'
           "\"\xe0\x80\xaf\"",              // overlong, 3 bytes
           "\"\xed\xa0\x80\"",              // encoded surrogate
           "\"\xf4\x90\x80\x80\"",          // past U+10FFFF
           "{\"body\":\"ok\xfe\"}",         // inside an object
           "{\"k\xff\":1}",                 // in a key
       })
    EXPECT_ERRC(parse_json(bad, max_depth), bad_request) << testing::PrintToString(bad);
}

TEST(ParseJson, RejectsLoneSurrogateEscapes) {
  EXPECT_ERRC(parse_json("\"\\ud800\"", max_depth), bad_request);
  EXPECT_ERRC(parse_json("\"\\udc00\"", max_depth), bad_request);
  EXPECT_ERRC(parse_json("\"\\ud800x\"", max_depth), bad_request);
}

TEST(ParseJson, RejectsMalformedJson) {
  for (std::string bad : std::vector<std::string>{
           "", " ", "{", "}", "[1,", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}", "nul", "tru",
           "01", "1.", ".5", "+1", "0x10", "\"unterminated", "\"tab\there\"", "\"line\nbreak\"", "{} {}", "[] x",
           "/* comment */ {}", "{\"a\":1,}", "NaN", "Infinity", std::string("[\"a\"\0]", 6)})
    EXPECT_ERRC(parse_json(bad, max_depth), bad_request) << testing::PrintToString(bad);
}

TEST(ParseJson, RejectsANulByteAfterTheDocument) {
  // JSON never holds a raw NUL (inside a string it must be written as an escape), yet nlohmann's
  // lexer takes one for the end of the input, so whatever follows it is silently dropped.
  using namespace std::string_literals;
  for (std::string bad : {"{\"a\":1}\0"s, "{\"a\":1}\0trailing garbage"s, "1\0 2"s, "{}\0{\"b\":2}"s})
    EXPECT_ERRC(parse_json(bad, max_depth), bad_request) << testing::PrintToString(bad);
  auto frame = decode_client_frame("{\"type\":\"ping\"}\0{\"type\":\"send\"}"s, max_depth);
  EXPECT_FALSE(frame) << "a frame with a NUL and a second document after it was accepted";
}

TEST(ParseJson, AcceptsEveryKindOfValue) {
  for (std::string good : {"null", "true", "false", "0", "-1", "1.5e3", "\"s\"", "[]", "{}", " {\"a\" : [ 1 , 2 ] } "})
    EXPECT_OK(parse_json(good, max_depth)) << good;
}

TEST(ParseObject, RejectsAnythingButAnObject) {
  EXPECT_OK(parse_object("{}", max_depth));
  for (std::string bad : {"[]", "1", "\"s\"", "null", "true"})
    EXPECT_ERRC(parse_object(bad, max_depth), bad_request) << bad;
}

TEST(JsonFields, TypedReadersNameTheField) {
  auto j = must(parse_object("{\"s\":\"text\",\"i\":42,\"f\":1.5,\"n\":null,\"b\":true,\"big\":18446744073709551615}",
                             max_depth));
  EXPECT_EQ(must(protocol::required_string(j, "s")), "text");
  EXPECT_EQ(must(protocol::required_int(j, "i")), 42);
  EXPECT_FALSE(must(protocol::optional_int(j, "missing")).has_value());
  EXPECT_FALSE(must(protocol::optional_int(j, "n")).has_value());
  EXPECT_FALSE(must(protocol::optional_string(j, "n")).has_value());
  EXPECT_EQ(must(protocol::optional_string(j, "s")), std::optional<std::string>("text"));
  EXPECT_ERRC(protocol::required_string(j, "i"), bad_request);
  EXPECT_ERRC(protocol::required_string(j, "missing"), bad_request);
  EXPECT_ERRC(protocol::required_int(j, "s"), bad_request);
  EXPECT_ERRC(protocol::required_int(j, "f"), bad_request);
  EXPECT_ERRC(protocol::required_int(j, "b"), bad_request);
  EXPECT_ERRC(protocol::required_int(j, "big"), bad_request);
  EXPECT_ERRC(protocol::optional_string(j, "b"), bad_request);
  auto missing = protocol::required_string(j, "client_msg_id");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("client_msg_id"), std::string::npos) << missing.error().message;
}

// ---- decode_client_frame ---------------------------------------------------------------------

template <class Frame>
Frame decode_as(std::string_view text) {
  auto d = decode_client_frame(text, max_depth);
  if (!d) throw std::runtime_error("decode failed: " + d.error().error.message);
  if (!std::holds_alternative<Frame>(d->frame)) throw std::runtime_error("decoded to another frame type");
  return std::get<Frame>(d->frame);
}

::testing::AssertionResult refused(std::string_view text) {
  auto d = decode_client_frame(text, max_depth);
  if (d) return ::testing::AssertionFailure() << "decoded " << text;
  if (d.error().error.code != errc::bad_request)
    return ::testing::AssertionFailure() << "failed with " << to_string(d.error().error.code);
  if (d.error().error.message.empty()) return ::testing::AssertionFailure() << "no message";
  return ::testing::AssertionSuccess();
}

TEST(ClientFrame, Hello) {
  auto h = decode_as<protocol::hello_frame>(R"({"type":"hello","token":"abc","resume":{"1":5,"22":0}})");
  EXPECT_EQ(h.token, std::optional<std::string>("abc"));
  EXPECT_EQ(h.resume, (std::map<group_id, seq_t>{{group_id{1}, 5}, {group_id{22}, 0}}));

  auto bare = decode_as<protocol::hello_frame>(R"({"type":"hello"})");
  EXPECT_FALSE(bare.token.has_value());
  EXPECT_TRUE(bare.resume.empty());
  EXPECT_TRUE(decode_as<protocol::hello_frame>(R"({"type":"hello","token":null,"resume":null})").resume.empty());
  EXPECT_TRUE(decode_as<protocol::hello_frame>(R"({"type":"hello","resume":{}})").resume.empty());
}

TEST(ClientFrame, HelloWithABadResumeIsRefused) {
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"abc":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1x":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{" 1":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"0":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"-1":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1.5":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"99999999999999999999":1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1":-1}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1":"5"}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1":1.5}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1":null}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":{"1":18446744073709551615}})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":[1,2]})"));
  EXPECT_TRUE(refused(R"({"type":"hello","resume":"1:5"})"));
  EXPECT_TRUE(refused(R"({"type":"hello","token":42})"));
}

TEST(ClientFrame, Send) {
  auto s = decode_as<protocol::send_frame>(R"({"type":"send","group_id":7,"client_msg_id":"m-1","body":"hi"})");
  EXPECT_EQ(s.group, group_id{7});
  EXPECT_EQ(s.client_msg_id, "m-1");
  EXPECT_EQ(s.body, "hi");
  EXPECT_FALSE(s.reply_to.has_value());
  auto reply = decode_as<protocol::send_frame>(R"({"type":"send","group_id":7,"client_msg_id":"m-2","body":"yes","reply_to":4})");
  EXPECT_EQ(reply.reply_to, std::optional<seq_t>(4));
  EXPECT_FALSE(decode_as<protocol::send_frame>(R"({"type":"send","group_id":7,"client_msg_id":"m","body":"b","reply_to":null})")
                   .reply_to.has_value());
}

TEST(ClientFrame, SendWithBadFieldsIsRefused) {
  EXPECT_TRUE(refused(R"({"type":"send","client_msg_id":"m","body":"hi"})"));               // no group
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"body":"hi"})"));                      // no client_msg_id
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"client_msg_id":"m"})"));              // no body
  EXPECT_TRUE(refused(R"({"type":"send","group_id":"7","client_msg_id":"m","body":"hi"})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7.5,"client_msg_id":"m","body":"hi"})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":0,"client_msg_id":"m","body":"hi"})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":-3,"client_msg_id":"m","body":"hi"})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"client_msg_id":5,"body":"hi"})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"client_msg_id":"m","body":["hi"]})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"client_msg_id":"m","body":null})"));
  EXPECT_TRUE(refused(R"({"type":"send","group_id":7,"client_msg_id":"m","body":"hi","reply_to":"4"})"));
}

TEST(ClientFrame, TypingReadAndPing) {
  EXPECT_EQ(decode_as<protocol::typing_frame>(R"({"type":"typing","group_id":3})").group, group_id{3});
  auto r = decode_as<protocol::read_frame>(R"({"type":"read","group_id":3,"seq":12})");
  EXPECT_EQ(r.group, group_id{3});
  EXPECT_EQ(r.seq, 12);
  EXPECT_NO_THROW(decode_as<protocol::ping_frame>(R"({"type":"ping"})"));
  EXPECT_NO_THROW(decode_as<protocol::ping_frame>(R"({"type":"ping","extra":[1,2,3]})"));  // extension room
}

TEST(ClientFrame, TypingAndReadWithBadFieldsAreRefused) {
  EXPECT_TRUE(refused(R"({"type":"typing"})"));
  EXPECT_TRUE(refused(R"({"type":"typing","group_id":"3"})"));
  EXPECT_TRUE(refused(R"({"type":"read","group_id":3})"));
  EXPECT_TRUE(refused(R"({"type":"read","seq":3})"));
  EXPECT_TRUE(refused(R"({"type":"read","group_id":3,"seq":"12"})"));
  EXPECT_TRUE(refused(R"({"type":"read","group_id":3,"seq":1.0})"));
}

TEST(ClientFrame, UnknownOrMissingTypeIsRefused) {
  EXPECT_TRUE(refused(R"({"type":"sned","group_id":1})"));
  EXPECT_TRUE(refused(R"({"type":"HELLO"})"));
  EXPECT_TRUE(refused(R"({"type":""})"));
  EXPECT_TRUE(refused(R"({"type":1})"));
  EXPECT_TRUE(refused(R"({"type":null})"));
  EXPECT_TRUE(refused(R"({"group_id":1})"));
  EXPECT_TRUE(refused(R"({})"));
}

TEST(ClientFrame, UnknownTypeIsNamedInTheError) {
  // A client trying a frame type this server does not know should be told so, not sent
  // looking for a missing group_id.
  for (std::string frame : {R"({"type":"subscribe"})", R"({"type":"dance","group_id":1})"}) {
    auto d = decode_client_frame(frame, max_depth);
    ASSERT_FALSE(d) << frame;
    EXPECT_EQ(d.error().error.code, errc::bad_request);
    EXPECT_NE(d.error().error.message.find("unknown frame type"), std::string::npos)
        << frame << " → " << d.error().error.message;
  }
}

TEST(ClientFrame, NonObjectsAndBadJsonAreRefused) {
  EXPECT_TRUE(refused(R"(["hello"])"));
  EXPECT_TRUE(refused(R"("hello")"));
  EXPECT_TRUE(refused(R"(null)"));
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused(R"({"type":"ping")"));
  EXPECT_TRUE(refused("{\"type\":\"send\",\"group_id\":1,\"client_msg_id\":\"m\",\"body\":\"\xff\"}"));
  EXPECT_TRUE(refused("{\"type\":\"ping\",\"x\":" + nested_arrays(32) + "}"));  // 33 deep with the frame
}

TEST(ClientFrame, ErrorsEchoTheRef) {
  auto d = decode_client_frame(R"({"type":"send","ref":"r-17","group_id":1,"body":"hi"})", max_depth);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().ref, std::optional<std::string>("r-17"));
  EXPECT_NE(d.error().error.message.find("client_msg_id"), std::string::npos) << d.error().error.message;

  auto unknown = decode_client_frame(R"({"type":"dance","ref":"r-18"})", max_depth);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().ref, std::optional<std::string>("r-18"));

  auto ok = decode_client_frame(R"({"type":"ping","ref":"r-19"})", max_depth);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->ref, std::optional<std::string>("r-19"));
}

TEST(ClientFrame, ABadRefIsIgnoredNotEchoed) {
  auto long_ref = decode_client_frame(R"({"type":"dance","ref":")" + std::string(129, 'r') + "\"}", max_depth);
  ASSERT_FALSE(long_ref);
  EXPECT_FALSE(long_ref.error().ref.has_value());
  auto number_ref = decode_client_frame(R"({"type":"dance","ref":5})", max_depth);
  ASSERT_FALSE(number_ref);
  EXPECT_FALSE(number_ref.error().ref.has_value());
  EXPECT_TRUE(decode_client_frame(R"({"type":"ping","ref":5})", max_depth));
  // Unparseable input has no ref to echo.
  auto broken = decode_client_frame(R"({"type":"ping","ref":"r-1")", max_depth);
  ASSERT_FALSE(broken);
  EXPECT_FALSE(broken.error().ref.has_value());
}

}  // namespace
}  // namespace peerchat::unit
