// SPDX-License-Identifier: MIT
// Attachments over HTTP with the real server (issue 12): who may upload and download what,
// the size limit (declared and chunked), types decided from the bytes, location gone from a
// photo (read back by Python's PIL, not by us), a decompression bomb, Range, and erase on
// delete. Fixtures are written at test time by Python PIL into the test's temp dir.
#include "support/test_server.hpp"
#include <gtest/gtest.h>
#include <fstream>
#include <iterator>

namespace peerchat::test {
namespace {

namespace fs = std::filesystem;

// Writes the fixtures into argv[1]: a PNG, a JPEG with GPS EXIF, an HTML page, an SVG and a
// PNG of 100 megapixels (a few kB compressed: a decompression bomb under a 50 MP limit).
constexpr char fixture_script[] = R"PY(
import sys, os
from PIL import Image
out = sys.argv[1]
Image.new('RGB', (40, 30), (10, 120, 200)).save(os.path.join(out, 'image.png'))
img = Image.new('RGB', (64, 48), (200, 30, 30))
exif = Image.Exif()
exif[0x010F] = 'PhoneMaker'
exif[0x8825] = {1: 'N', 2: (52.0, 22.0, 0.0), 3: 'E', 4: (4.0, 53.0, 0.0)}
img.save(os.path.join(out, 'gps.jpg'), 'JPEG', exif=exif)
assert Image.open(os.path.join(out, 'gps.jpg')).getexif().get_ifd(0x8825), 'fixture has no GPS'
open(os.path.join(out, 'page.html'), 'w').write('<!doctype html><html><body><script>alert(1)</script></body></html>')
open(os.path.join(out, 'drawing.svg'), 'w').write('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
Image.new('1', (10000, 10000), 0).save(os.path.join(out, 'bomb.png'))
)PY";

// Prints "gps" when the JPEG still carries a GPS IFD, else "clean", and its size.
constexpr char gps_check_script[] = R"PY(
import sys
from PIL import Image
im = Image.open(sys.argv[1])
print('gps' if im.getexif().get_ifd(0x8825) else 'clean', im.size[0], im.size[1])
)PY";

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Regular files under <data dir>/attachments (stored files, thumbnails and temporary uploads),
// not the backup lock file `.backup` (store/backup_pin.hpp).
std::size_t files_under(fs::path const& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().filename() != ".backup") ++n;
  return n;
}

class attachments_http : public coaches_test {
 protected:
  void configure(peerchat::config& c) override {
    c.attachments.max_bytes = 1 << 20;  // 1 MiB: the limit tests stay small
  }
  void SetUp() override {
    coaches_test::SetUp();
    auto r = run_process({"/usr/bin/python3", "-c", fixture_script, fixtures.path().string()}, "");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  http_response upload(std::string const& as, std::int64_t group, std::string const& name, std::string bytes,
                       std::string const& type = "application/octet-stream") {
    request_options o;
    if (!as.empty()) o.token = srv.token(as);
    o.headers = {{"X-Filename", url_encode(name)}, {"Content-Type", type}};
    return srv.http().request_raw(http::verb::post, test_server::api("/groups/" + std::to_string(group) + "/attachments"),
                                  std::move(bytes), o);
  }
  http_response get(std::string const& as, std::string const& path, header_list headers = {}) {
    request_options o;
    if (!as.empty()) o.token = srv.token(as);
    o.headers = std::move(headers);
    return srv.http().request(http::verb::get, test_server::api(path), std::nullopt, o);
  }
  http_response send_with(std::string const& as, std::int64_t group, json ids) {
    static int n = 0;
    json body = {{"body", ""}, {"client_msg_id", "att-" + std::to_string(++n)}, {"attachments", std::move(ids)}};
    return srv.http().post(test_server::api("/groups/" + std::to_string(group) + "/messages"), body, srv.token(as));
  }
  std::string fixture(char const* name) { return read_file(fixtures.path() / name); }
  fs::path attachments_dir() const { return srv.data_dir() / "attachments"; }
  // Stored files and thumbnails, and upload bodies being received (<data dir>/uploads).
  std::size_t files_on_disk() const { return files_under(attachments_dir()) + files_under(srv.data_dir() / "uploads"); }

  temp_dir fixtures;
};

TEST_F(attachments_http, only_members_upload_and_download_and_only_the_uploader_attaches_once_in_its_group) {
  std::string png = fixture("image.png");
  EXPECT_EQ(upload("", coaches, "a.png", png).status, 401);
  auto outsider = upload("dave", coaches, "a.png", png);
  EXPECT_EQ(outsider.status, 404) << outsider;  // never 403: a non-member learns nothing
  EXPECT_EQ(upload("bob", 999999, "a.png", png).status, 404);

  auto up = upload("bob", coaches, "a.png", png);
  ASSERT_EQ(up.status, 201) << up;
  std::string id = up.json().at("id");
  EXPECT_EQ(up.json().at("mime"), "image/png");
  EXPECT_EQ(up.json().at("width"), 40);
  EXPECT_EQ(up.json().at("height"), 30);

  EXPECT_EQ(get("", "/attachments/" + id).status, 401);
  EXPECT_EQ(get("dave", "/attachments/" + id).status, 404);
  EXPECT_EQ(get("dave", "/attachments/" + id + "/thumb").status, 404);
  EXPECT_EQ(get("carol", "/attachments/unknown-id").status, 404);
  auto got = get("carol", "/attachments/" + id);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.header("X-Content-Type-Options"), "nosniff");

  // Another member cannot attach bob's upload; another group cannot have it.
  EXPECT_EQ(send_with("carol", coaches, {id}).status, 400);
  auto other = srv.create_group("alice", "elsewhere");
  srv.join("bob", other);
  EXPECT_EQ(send_with("bob", other, {id}).status, 400);
  auto sent = send_with("bob", coaches, {id});
  ASSERT_EQ(sent.status, 201) << sent;
  ASSERT_EQ(sent.json().at("attachments").size(), 1u);
  EXPECT_EQ(sent.json().at("attachments")[0].at("id"), id);
  EXPECT_EQ(send_with("bob", coaches, {id}).status, 400);  // attached once
  EXPECT_EQ(send_with("bob", coaches, json::array()).status, 400);  // an empty list names nothing
}

TEST_F(attachments_http, over_the_limit_is_413_declared_or_chunked_and_leaves_no_file) {
  std::size_t before = files_on_disk();
  auto big = upload("bob", coaches, "big.bin", std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(big.status, 413) << big;
  EXPECT_EQ(big.error_code(), "payload_too_large");

  // Chunked: no length to refuse up front; the server counts as it reads.
  std::string chunk(64 * 1024, 'y');
  std::string raw = "POST " + test_server::api("/groups/" + std::to_string(coaches) + "/attachments") +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + srv.token("bob") +
                    "\r\nX-Filename: big.bin\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 17; ++i) raw += size_line + chunk + "\r\n";  // 17 × 64 KiB > 1 MiB
  raw += "0\r\n\r\n";
  auto chunked = srv.http().send_bytes(raw);
  EXPECT_EQ(chunked.status, 413) << chunked;
  EXPECT_TRUE(wait_until([&] { return files_on_disk() == before; }, std::chrono::seconds(5)))
      << "a refused upload left a file behind";
  EXPECT_EQ(srv.http().get("/healthz").status, 200);
}

TEST_F(attachments_http, the_type_comes_from_the_bytes_and_scripts_are_never_inline) {
  auto png = upload("bob", coaches, "report.pdf", fixture("image.png"), "application/pdf");
  ASSERT_EQ(png.status, 201) << png;
  EXPECT_EQ(png.json().at("mime"), "image/png");
  auto as_png = get("carol", "/attachments/" + png.json().at("id").get<std::string>());
  EXPECT_EQ(as_png.header("Content-Type"), "image/png");
  EXPECT_TRUE(as_png.header("Content-Disposition").starts_with("inline")) << as_png.header("Content-Disposition");

  for (char const* name : {"page.html", "drawing.svg"}) {
    auto up = upload("bob", coaches, std::string("holiday-") + name + ".jpg", fixture(name), "image/jpeg");
    ASSERT_EQ(up.status, 201) << name << " " << up;
    auto got = get("carol", "/attachments/" + up.json().at("id").get<std::string>());
    ASSERT_EQ(got.status, 200) << got;
    EXPECT_TRUE(got.header("Content-Disposition").starts_with("attachment")) << name << ": " << got.header("Content-Disposition");
    EXPECT_EQ(got.header("Content-Type").find("text/html"), std::string::npos) << name;
    EXPECT_EQ(got.header("Content-Type").find("image/jpeg"), std::string::npos) << name;
    EXPECT_EQ(got.header("X-Content-Type-Options"), "nosniff");
    EXPECT_NE(got.header("Content-Security-Policy").find("sandbox"), std::string::npos);
  }
}

TEST_F(attachments_http, a_photo_comes_back_without_its_location) {
  auto up = upload("bob", coaches, "whiteboard.jpg", fixture("gps.jpg"), "image/jpeg");
  ASSERT_EQ(up.status, 201) << up;
  auto got = get("carol", "/attachments/" + up.json().at("id").get<std::string>());
  ASSERT_EQ(got.status, 200) << got;
  auto stored = fixtures.path() / "downloaded.jpg";
  std::ofstream(stored, std::ios::binary) << got.body;
  auto r = run_process({"/usr/bin/python3", "-c", gps_check_script, stored.string()}, "");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "clean 64 48\n");  // PIL, not us, reads what we serve
}

TEST_F(attachments_http, a_decompression_bomb_is_400_and_the_server_stays_up) {
  auto bomb = upload("bob", coaches, "bomb.png", fixture("bomb.png"), "image/png");
  EXPECT_EQ(bomb.status, 400) << bomb;
  EXPECT_EQ(srv.http().get("/healthz").status, 200);
  EXPECT_EQ(upload("bob", coaches, "fine.png", fixture("image.png")).status, 201);
}

TEST_F(attachments_http, ranges_are_served_from_the_file) {
  std::string bytes = fixture("page.html");  // a download: served byte for byte
  auto up = upload("bob", coaches, "notes.txt", bytes);
  ASSERT_EQ(up.status, 201) << up;
  std::string path = "/attachments/" + up.json().at("id").get<std::string>();
  std::string size = std::to_string(bytes.size());

  auto whole = get("carol", path);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, bytes);
  EXPECT_EQ(whole.header("Accept-Ranges"), "bytes");
  EXPECT_TRUE(whole.header("Cache-Control").starts_with("private")) << whole.header("Cache-Control");

  auto first = get("carol", path, {{"Range", "bytes=0-9"}});
  EXPECT_EQ(first.status, 206);
  EXPECT_EQ(first.body, bytes.substr(0, 10));
  EXPECT_EQ(first.header("Content-Range"), "bytes 0-9/" + size);

  auto tail = get("carol", path, {{"Range", "bytes=-5"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, bytes.substr(bytes.size() - 5));

  auto open_ended = get("carol", path, {{"Range", "bytes=10-"}});
  EXPECT_EQ(open_ended.status, 206);
  EXPECT_EQ(open_ended.body, bytes.substr(10));

  auto past = get("carol", path, {{"Range", "bytes=" + size + "-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(past.header("Content-Range"), "bytes */" + size);

  auto several = get("carol", path, {{"Range", "bytes=0-1,4-5"}});
  EXPECT_EQ(several.status, 200);  // several ranges: the whole file (documented)
  EXPECT_EQ(several.body, bytes);
}

TEST_F(attachments_http, deleting_the_message_erases_its_file) {
  std::size_t before = files_on_disk();
  auto up = upload("bob", coaches, "photo.png", fixture("image.png"));
  ASSERT_EQ(up.status, 201) << up;
  std::string id = up.json().at("id");
  auto sent = send_with("bob", coaches, {id});
  ASSERT_EQ(sent.status, 201) << sent;
  EXPECT_GT(files_on_disk(), before);
  auto seq = sent.json().at("seq").get<std::int64_t>();
  auto del = srv.http().del(test_server::api("/groups/" + std::to_string(coaches) + "/messages/" + std::to_string(seq)),
                            srv.token("bob"));
  ASSERT_EQ(del.status, 204) << del;
  EXPECT_TRUE(wait_until([&] { return files_on_disk() == before; }, std::chrono::seconds(5)))
      << "the deleted message's file is still in " << attachments_dir();
  EXPECT_EQ(get("carol", "/attachments/" + id).status, 404);
}

}  // namespace
}  // namespace peerchat::test
