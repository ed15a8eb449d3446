// SPDX-License-Identifier: MIT
// One's profile over the real server: PATCH /me (display name, about) as others see it, and
// avatars (PUT/DELETE /me/avatar, GET /users/{id}/avatar for people sharing a group): type from
// the bytes, location gone (read back by Python's PIL, not by us), centre crop, size limits,
// caching. Images are written at test time by Debian's Python PIL into the test's temp dir.
#include "support/test_server.hpp"
#include <gtest/gtest.h>
#include <fstream>
#include <iterator>

namespace peerchat::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes into argv[1]: a 400×200 JPEG with GPS EXIF whose middle 200×200 is green and whose
// sides are blue (a centre crop is all green); a PNG of 100 megapixels (a few kB: over the
// 50 MP limit); a small transparent PNG.
constexpr char fixture_script[] = R"PY(
import sys, os
from PIL import Image
out = sys.argv[1]
img = Image.new('RGB', (400, 200), (0, 0, 255))
img.paste((0, 200, 0), (100, 0, 300, 200))
exif = Image.Exif()
exif[0x010F] = 'PhoneMaker'
exif[0x8825] = {1: 'N', 2: (52.0, 22.0, 0.0), 3: 'E', 4: (4.0, 53.0, 0.0)}
img.save(os.path.join(out, 'gps.jpg'), 'JPEG', exif=exif, quality=95)
assert Image.open(os.path.join(out, 'gps.jpg')).getexif().get_ifd(0x8825), 'fixture has no GPS'
Image.new('1', (10000, 10000), 0).save(os.path.join(out, 'bomb.png'))
Image.new('RGBA', (30, 30), (255, 0, 0, 0)).save(os.path.join(out, 'clear.png'))
)PY";

// Prints the format, "gps"/"clean", "exif"/"noexif", the size, and the colour a tenth of the
// way in from the left edge (green for a centre crop; a crop from the left would be blue).
constexpr char check_script[] = R"PY(
import sys
from PIL import Image
im = Image.open(sys.argv[1])
ex = im.getexif()
px = im.convert('RGB').getpixel((im.size[0] // 10, im.size[1] // 2))
print(im.format, 'gps' if ex.get_ifd(0x8825) else 'clean', 'exif' if len(ex) else 'noexif', im.size[0], im.size[1],
      'green' if px[1] > 150 and px[2] < 80 and px[0] < 80 else 'other')
)PY";

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class profile_test : public coaches_test {
 protected:
  void SetUp() override {
    coaches_test::SetUp();
    auto r = run_process({"/usr/bin/python3", "-c", fixture_script, fixtures.path().string()}, "");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  http_response patch_me(std::string const& who, json const& body) {
    return srv.http().patch(test_server::api("/me"), body, who.empty() ? std::string() : srv.token(who));
  }
  http_response put_avatar(std::string const& who, std::string bytes, std::string const& type = "image/jpeg") {
    request_options o;
    if (!who.empty()) o.token = srv.token(who);
    o.headers = {{"Content-Type", type}};
    // libvips' first picture in a process took over 10 s under ThreadSanitizer beside other
    // tests (the answer timed out); the upload tests allow 60 s, as attachments_binary does.
    o.timeout = std::chrono::seconds(60);
    return srv.http().request_raw(http::verb::put, test_server::api("/me/avatar"), std::move(bytes), o);
  }
  http_response get_avatar(std::string const& as, std::int64_t user, std::string const& query = "", header_list headers = {}) {
    request_options o;
    if (!as.empty()) o.token = srv.token(as);
    o.headers = std::move(headers);
    return srv.http().request(http::verb::get, test_server::api("/users/" + std::to_string(user) + "/avatar" + query),
                              std::nullopt, o);
  }
  // What PIL makes of an image we serve.
  std::string check(std::string const& bytes) {
    auto file = fixtures.path() / "served.img";
    std::ofstream(file, std::ios::binary) << bytes;
    auto r = run_process({"/usr/bin/python3", "-c", check_script, file.string()}, "");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }
  json member(std::string const& viewer, std::string const& who) {
    json group = srv.group(viewer, coaches);  // kept: a loop over a temporary's member would dangle
    for (auto const& m : group["members"])
      if (m["user_id"] == srv.id(who)) return m;
    return nullptr;
  }
  std::string fixture(char const* name) { return read_file(fixtures.path() / name); }

  temp_dir fixtures;
};

// ---------------------------------------------------------------------------------------
// PATCH /me

TEST_F(profile_test, ANewNameAndAboutShowInMeAndToTheGroupsMembers) {
  auto r = patch_me("bob", {{"display_name", "  Robert Brown  "}, {"about", " Implementer, Denver "}});
  ASSERT_STATUS(r, 200);
  auto u = r.json();
  EXPECT_EQ(u["id"], srv.id("bob"));
  EXPECT_EQ(u["display_name"], "Robert Brown") << "trimmed";
  EXPECT_EQ(u["about"], "Implementer, Denver");
  EXPECT_EQ(u["avatar"], false);
  EXPECT_EQ(u["username"], "bob");

  auto me = srv.http().get(test_server::api("/me"), srv.token("bob")).json();
  EXPECT_EQ(me["display_name"], "Robert Brown");
  EXPECT_EQ(me["about"], "Implementer, Denver");
  EXPECT_EQ(member("carol", "bob")["display_name"], "Robert Brown") << "members see the new name";

  // One field alone leaves the other; an empty about clears it.
  ASSERT_STATUS(patch_me("bob", {{"about", ""}}), 200);
  me = srv.http().get(test_server::api("/me"), srv.token("bob")).json();
  EXPECT_EQ(me["display_name"], "Robert Brown");
  EXPECT_EQ(me["about"], "");
  // 140 characters (not bytes) fit.
  EXPECT_STATUS(patch_me("bob", {{"about", repeat("é", 140)}}), 200);
  EXPECT_STATUS(patch_me("bob", json::object()), 200) << "nothing to change is fine";
}

// Names are shown as they are now: open sockets learn a new name, about line or picture at
// once, without reloading the member list; someone sharing no group learns nothing.
TEST_F(profile_test, ProfileChangesReachThoseSharingAGroupLiveAndNobodyElse) {
  auto carol = srv.connect("carol");
  auto dave = srv.connect("dave");
  ASSERT_STATUS(patch_me("bob", {{"display_name", "Robert"}, {"about", "Implementer, Denver"}}), 200);
  auto is_update = [](json const& f) { return f.value("type", "") == "user_updated"; };
  auto frame = carol->read_until(is_update, 5s);
  ASSERT_TRUE(frame) << "carol shares a group with bob";
  json const& u = (*frame)["user"];
  EXPECT_EQ(u["user_id"], srv.id("bob"));
  EXPECT_EQ(u["display_name"], "Robert");
  EXPECT_EQ(u["about"], "Implementer, Denver");
  EXPECT_EQ(u["avatar"], false);
  EXPECT_EQ(keys_of(u), (std::vector<std::string>{"about", "avatar", "display_name", "user_id", "username"}))
      << "nothing private (is_admin) goes out";

  ASSERT_STATUS(put_avatar("bob", read_file(fixtures.path() / "gps.jpg")), 200);
  frame = carol->read_until(is_update, 5s);
  ASSERT_TRUE(frame) << "a new picture is announced";
  EXPECT_EQ((*frame)["user"]["avatar"], true);
  EXPECT_TRUE((*frame)["user"].contains("avatar_at"));
  ASSERT_STATUS(srv.http().del(test_server::api("/me/avatar"), srv.token("bob")), 204);
  frame = carol->read_until(is_update, 5s);
  ASSERT_TRUE(frame) << "a removed picture is announced";
  EXPECT_EQ((*frame)["user"]["avatar"], false);

  for (auto const& f : frames_before_pong(*dave)) EXPECT_FALSE(is_update(f)) << "dave shares no group with bob: " << f;
}

TEST_F(profile_test, BadProfileInputIsABadRequestAndChangesNothing) {
  for (json const& bad : {json{{"display_name", ""}}, json{{"display_name", "   "}}, json{{"display_name", repeat("x", 65)}},
                          json{{"display_name", "Bob\x07"}}, json{{"display_name", 5}}, json{{"about", repeat("é", 141)}},
                          json{{"about", "two\nlines"}}, json{{"about", "bell\x07"}}, json{{"about", "c1 \u0085 control"}},
                          json{{"about", true}}})
  {
    SCOPED_TRACE(bad.dump());
    EXPECT_ERROR(patch_me("bob", bad), 400, "bad_request");
  }
  auto invalid_utf8 = srv.http().request_raw(http::verb::patch, test_server::api("/me"), "{\"about\":\"\xff\xfe\"}",
                                             {srv.token("bob"), {}});
  EXPECT_ERROR(invalid_utf8, 400, "bad_request");
  EXPECT_ERROR(patch_me("", {{"about", "hi"}}), 401, "unauthorized");
  auto me = srv.http().get(test_server::api("/me"), srv.token("bob")).json();
  EXPECT_EQ(me["display_name"], "Bob");
  EXPECT_EQ(me["about"], "");
}

// ---------------------------------------------------------------------------------------
// Avatars

TEST_F(profile_test, AnAvatarComesBackSquareCentreCroppedAndWithoutItsLocation) {
  auto up = put_avatar("bob", fixture("gps.jpg"));
  ASSERT_STATUS(up, 200);
  EXPECT_EQ(up.json()["avatar"], true);
  ASSERT_TRUE(up.json()["avatar_at"].is_number_integer()) << up;
  auto me = srv.http().get(test_server::api("/me"), srv.token("bob")).json();
  EXPECT_EQ(me["avatar"], true);
  EXPECT_EQ(me["avatar_at"], up.json()["avatar_at"]);

  for (auto [query, side] : {std::pair{"?size=256", "256"}, std::pair{"?size=64", "64"}, std::pair{"", "256"}}) {
    auto got = get_avatar("carol", srv.id("bob"), query);
    ASSERT_STATUS(got, 200);
    EXPECT_EQ(got.header("Content-Type"), "image/jpeg");
    EXPECT_EQ(got.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(check(got.body), std::string("JPEG clean noexif ") + side + " " + side + " green\n") << query;
  }
  EXPECT_STATUS(get_avatar("bob", srv.id("bob")), 200) << "one's own";
}

TEST_F(profile_test, OnlyPeopleSharingAGroupSeeAnAvatar) {
  ASSERT_STATUS(put_avatar("bob", fixture("gps.jpg")), 200);
  EXPECT_ERROR(get_avatar("dave", srv.id("bob")), 404, "not_found");  // dave shares no group with bob
  EXPECT_ERROR(get_avatar("", srv.id("bob")), 401, "unauthorized");
  EXPECT_ERROR(get_avatar("carol", srv.id("alice")), 404, "not_found");  // alice has none
  EXPECT_ERROR(get_avatar("carol", 999999), 404, "not_found");
  EXPECT_ERROR(get_avatar("carol", srv.id("bob"), "?size=100"), 400, "bad_request");
  EXPECT_ERROR(get_avatar("carol", srv.id("bob"), "?size=big"), 400, "bad_request");
  // dave joins a group with bob: now he may.
  srv.join("dave", coaches);
  EXPECT_STATUS(get_avatar("dave", srv.id("bob")), 200);
}

TEST_F(profile_test, AvatarsAreCachedPrivatelyByVersion) {
  auto up = put_avatar("bob", fixture("gps.jpg"));
  ASSERT_STATUS(up, 200);
  std::string version = std::to_string(up.json()["avatar_at"].get<std::int64_t>());
  auto plain = get_avatar("carol", srv.id("bob"));
  ASSERT_STATUS(plain, 200);
  EXPECT_EQ(plain.header("Cache-Control"), "private, no-cache");
  std::string etag = plain.header("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = get_avatar("carol", srv.id("bob"), "", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304) << again;
  EXPECT_TRUE(again.body.empty());
  auto versioned = get_avatar("carol", srv.id("bob"), "?size=64&v=" + version);
  ASSERT_STATUS(versioned, 200);
  EXPECT_EQ(versioned.header("Cache-Control"), "private, max-age=31536000, immutable");

  // A new picture: a new version, and the old ETag no longer matches.
  auto second = put_avatar("bob", fixture("clear.png"), "image/png");
  ASSERT_STATUS(second, 200);
  EXPECT_GT(second.json()["avatar_at"].get<std::int64_t>(), up.json()["avatar_at"].get<std::int64_t>());
  EXPECT_STATUS(get_avatar("carol", srv.id("bob"), "", {{"If-None-Match", etag}}), 200);
  EXPECT_EQ(get_avatar("carol", srv.id("bob"), "?v=" + version).header("Cache-Control"), "private, no-cache")
      << "an old version is not the current one";
}

TEST_F(profile_test, DeletingTheAvatarRemovesIt) {
  ASSERT_STATUS(put_avatar("bob", fixture("gps.jpg")), 200);
  EXPECT_STATUS(srv.http().del(test_server::api("/me/avatar"), srv.token("bob")), 204);
  EXPECT_ERROR(get_avatar("carol", srv.id("bob")), 404, "not_found");
  auto me = srv.http().get(test_server::api("/me"), srv.token("bob")).json();
  EXPECT_EQ(me["avatar"], false);
  EXPECT_FALSE(me.contains("avatar_at"));
  EXPECT_STATUS(srv.http().del(test_server::api("/me/avatar"), srv.token("bob")), 204) << "none left: still fine";
  EXPECT_ERROR(srv.http().del(test_server::api("/me/avatar")), 401, "unauthorized");
}

TEST_F(profile_test, NotAnImageOrTooManyPixelsIsABadRequestAndKeepsTheOldAvatar) {
  ASSERT_STATUS(put_avatar("bob", fixture("gps.jpg")), 200);
  EXPECT_ERROR(put_avatar("bob", "just some text, not a picture", "image/jpeg"), 400, "bad_request");
  EXPECT_ERROR(put_avatar("bob", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", "image/svg+xml"), 400, "bad_request");
  EXPECT_ERROR(put_avatar("bob", fixture("bomb.png"), "image/png"), 400, "bad_request");
  EXPECT_ERROR(put_avatar("bob", fixture("gps.jpg").substr(0, 300)), 400, "bad_request");  // a truncated JPEG
  EXPECT_ERROR(put_avatar("", fixture("gps.jpg")), 401, "unauthorized");
  EXPECT_EQ(srv.http().get("/healthz").status, 200);
  EXPECT_STATUS(get_avatar("carol", srv.id("bob")), 200) << "the old avatar stays";
}

TEST_F(profile_test, AnAvatarOver10MiBIs413BeforeTheBodyIsRead) {
  // Only the header: the server answers from Content-Length without reading a byte of body.
  std::string raw = "PUT " + test_server::api("/me/avatar") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    srv.token("bob") + "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string((10 << 20) + 1) +
                    "\r\n\r\n";
  auto r = srv.http().send_bytes(raw);
  EXPECT_ERROR(r, 413, "payload_too_large");

  // Chunked: counted as it arrives.
  std::string chunk(256 * 1024, 'y');
  std::string chunked = "PUT " + test_server::api("/me/avatar") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                        srv.token("bob") + "\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 41; ++i) chunked += size_line + chunk + "\r\n";  // 41 × 256 KiB > 10 MiB
  chunked += "0\r\n\r\n";
  auto c = srv.http().send_bytes(chunked);
  EXPECT_EQ(c.status, 413) << c;
  EXPECT_EQ(srv.http().get("/healthz").status, 200);
}

}  // namespace
}  // namespace peerchat::test
