// SPDX-License-Identifier: MIT
// GET /groups/{id}/export (docs/accounts.md): owners and admins download the whole history,
// streamed with chunked encoding; JSON that parses with every message oldest first, and one
// HTML file that parses, escapes what people typed and carries images inline. Members who
// are neither get 403, outsiders 404. The files are checked by Python, not by us.
#include "support/process.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace peerchat::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Checks a JSON export: prints "ok <messages>" or what is wrong.
constexpr char check_json[] = R"PY(
import json, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
msgs = doc['messages']
seqs = [m['seq'] for m in msgs]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), 'not oldest first, or repeated'
assert doc['group']['name'] == 'coaches', doc['group']
assert isinstance(doc['exported_at'], int)
assert any(m.get('body', '').startswith('<script>') for m in msgs), 'script body missing'
assert any(m.get('deleted') for m in msgs), 'deleted message missing'
assert any('reply_to' in m for m in msgs), 'reply missing'
assert any(m['reactions'] for m in msgs), 'reaction missing'
att = [a for m in msgs for a in m.get('attachments', [])]
assert att and att[0]['mime'] == 'image/png' and att[0]['name'] == 'chart.png', att
print('ok', len(msgs))
)PY";

// Checks an HTML export with html.parser: prints "ok <articles>" or what is wrong.
constexpr char check_html[] = R"PY(
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.articles = 0; self.scripts = 0; self.imgs = []; self.text = []; self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag == 'article': self.articles += 1
        if tag == 'script': self.scripts += 1
        if tag == 'img': self.imgs.append(dict(attrs).get('src', ''))
        if tag not in ('meta', 'img', 'br'): self.stack.append(tag)
    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, 'unbalanced </%s> after %s' % (tag, self.stack[-3:])
        self.stack.pop()
    def handle_data(self, d): self.text.append(d)
p = P()
p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()
text = ''.join(p.text)
assert p.scripts == 0, 'a script element'
assert not p.stack, 'unclosed: %s' % p.stack
assert "<script>alert('boo')</script>" in text, 'escaped body not shown as text'
assert 'This message was deleted.' in text
assert any(s.startswith('data:image/png;base64,') for s in p.imgs), p.imgs[:3]
print('ok', p.articles)
)PY";

class export_test : public coaches_test {
 protected:
  std::string export_path(std::int64_t g, std::string const& format) const {
    return test_server::api("/groups/" + std::to_string(g) + "/export?format=" + format);
  }
  // Writes a body to a file and runs a checking script on it; returns its output.
  std::string check(std::string const& script, std::string const& body) {
    auto file = files.path() / "export";
    std::ofstream(file, std::ios::binary) << body;
    auto r = run_process({"/usr/bin/python3", "-c", script, file.string()}, "", 60s);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }
  temp_dir files;
};

TEST_F(export_test, OwnersGetTheWholeHistoryAsJsonAndHtml) {
  // A few thousand messages, and one of each thing a history holds.
  constexpr int bulk = 3000;
  auto ws = srv.connect("bob");
  ASSERT_EQ(send_in_batches(*ws, coaches, bulk, "message number", "bulk-"), bulk);
  auto script = srv.send("alice", coaches, "<script>alert('boo')</script> & co");
  auto seq = script.value("seq", std::int64_t{0});
  auto g = test_server::api("/groups/" + std::to_string(coaches));
  ASSERT_STATUS(srv.http().post(g + "/messages", {{"body", "a reply"}, {"client_msg_id", "r1"}, {"reply_to", seq}},
                                srv.token("bob")), 201);
  ASSERT_STATUS(srv.http().put(g + "/messages/" + std::to_string(seq) + "/reactions/" + url_encode("🎉"), srv.token("carol")), 200);
  auto doomed = srv.send("bob", coaches, "soon gone");
  ASSERT_STATUS(srv.http().del(g + "/messages/" + std::to_string(doomed.value("seq", std::int64_t{0})), srv.token("bob")), 204);
  auto png = run_process({"/usr/bin/python3", "-c",
                          "import sys,io\nfrom PIL import Image\nb=io.BytesIO()\nImage.new('RGB',(40,30),(10,120,200)).save(b,'PNG')\nsys.stdout.buffer.write(b.getvalue())"},
                         "");
  ASSERT_EQ(png.exit_code, 0);
  request_options o;
  o.token = srv.token("bob");
  o.headers = {{"X-Filename", "chart.png"}, {"Content-Type", "image/png"}};
  auto up = srv.http().request_raw(http::verb::post, g + "/attachments", png.output, o);
  ASSERT_STATUS(up, 201);
  ASSERT_STATUS(srv.http().post(g + "/messages", {{"body", "the chart"}, {"client_msg_id", "p1"},
                                                  {"attachments", {up.json().value("id", "")}}}, srv.token("bob")), 201);
  int total = bulk + 4;  // the bulk, the script, the reply, the deleted one, the chart

  auto j = srv.http().get(export_path(coaches, "json"), srv.token("alice"));
  ASSERT_STATUS(j, 200);
  EXPECT_EQ(j.header("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(j.header("Content-Type").starts_with("application/json")) << j.header("Content-Type");
  auto disposition = j.header("Content-Disposition");
  EXPECT_TRUE(disposition.starts_with("attachment; filename=\"peerchat-coaches-")) << disposition;
  EXPECT_NE(disposition.find(".json\""), std::string::npos) << disposition;
  EXPECT_EQ(check(check_json, j.body), "ok " + std::to_string(total) + "\n");

  auto h = srv.http().get(export_path(coaches, "html"), srv.token("alice"));
  ASSERT_STATUS(h, 200);
  EXPECT_EQ(h.header("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(h.header("Content-Type").starts_with("text/html")) << h.header("Content-Type");
  EXPECT_NE(h.header("Content-Disposition").find(".html\""), std::string::npos);
  EXPECT_EQ(h.body.find("<script>alert"), std::string::npos) << "a body came out unescaped";
  EXPECT_EQ(check(check_html, h.body), "ok " + std::to_string(total) + "\n");
}

TEST_F(export_test, OnlyOwnersAndAdminsMayExportAndOutsidersLearnNothing) {
  srv.send("bob", coaches, "hello");
  EXPECT_ERROR(srv.http().get(export_path(coaches, "json"), srv.token("carol")), 403, "forbidden");
  EXPECT_ERROR(srv.http().get(export_path(coaches, "html"), srv.token("dave")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(export_path(987654, "json"), srv.token("alice")), 404, "not_found");
  EXPECT_ERROR(srv.http().get(export_path(coaches, "json")), 401, "unauthorized");
  EXPECT_ERROR(srv.http().get(export_path(coaches, "pdf"), srv.token("alice")), 400, "bad_request");
  srv.set_role("alice", coaches, "carol", "admin");
  auto r = srv.http().get(export_path(coaches, "json"), srv.token("carol"));
  ASSERT_STATUS(r, 200);
  EXPECT_EQ(r.json()["messages"].size(), 1u) << r.body;
  // json is the default format.
  EXPECT_STATUS(srv.http().get(test_server::api("/groups/" + std::to_string(coaches) + "/export"), srv.token("carol")), 200);
}

TEST_F(export_test, EitherPersonExportsTheirDirectConversation) {
  auto dm = srv.http().post(test_server::api("/direct"), {{"user_id", srv.id("carol")}}, srv.token("bob"));
  ASSERT_STATUS(dm, 201);
  auto g = dm.json().value("id", std::int64_t{0});
  srv.send("bob", g, "just between us");
  for (auto who : {"bob", "carol"}) {
    auto r = srv.http().get(export_path(g, "html"), srv.token(who));
    ASSERT_STATUS(r, 200);
    EXPECT_NE(r.body.find("just between us"), std::string::npos);
    EXPECT_NE(r.body.find("Conversation with"), std::string::npos);
  }
  EXPECT_ERROR(srv.http().get(export_path(g, "json"), srv.token("alice")), 404, "not_found");
}

// Each export reads a whole group: a user gets a burst of them, then 429 with Retry-After.
TEST_F(export_test, ExportsAreRateLimitedPerUser) {
  auto g = srv.create_group("alice", "small");
  int ok = 0;
  for (int i = 0; i < 30 && ok <= 10; ++i) {
    auto r = srv.http().get(export_path(g, "json"), srv.token("alice"));
    if (r.status != 200) {
      EXPECT_ERROR(r, 429, "rate_limited");
      EXPECT_FALSE(r.header("Retry-After").empty()) << r;
      break;
    }
    ++ok;
  }
  EXPECT_EQ(ok, 10) << "the default burst is 10 exports";
}

TEST_F(export_test, AnEmptyGroupExportsAnEmptyList) {
  auto g = srv.create_group("alice", "Quiet Room!");
  auto r = srv.http().get(export_path(g, "json"), srv.token("alice"));
  ASSERT_STATUS(r, 200);
  EXPECT_TRUE(r.json()["messages"].empty()) << r.body;
  EXPECT_NE(r.header("Content-Disposition").find("peerchat-quiet-room-"), std::string::npos) << r.header("Content-Disposition");
}

}  // namespace
}  // namespace peerchat::test
