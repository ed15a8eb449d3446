// SPDX-License-Identifier: MIT
// Attachments at the service level, on a real SQLite file and real files in a temp data dir:
// uploads end to end through the media layer, the rules of attaching, messages that carry
// attachments in their event and in history, deletes that erase files from disk, the orphan
// sweep with a manual clock, the limits, and no temporary file left on any path.
#include "fixture.hpp"
#include "peerchat/protocol/wire.hpp"
#include "peerchat/service/attachments.hpp"
#include "peerchat/store/backup_pin.hpp"
#include <chrono>
#include <fstream>
#include <future>
#include <sys/stat.h>

namespace peerchat::unit {
namespace {

using namespace std::chrono_literals;
using service::send_request;

// 4 × 3 PNGs written by Python PIL (red and green).
std::string const red_png{
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x04\x00\x00\x00\x03\x08\x02\x00\x00"
    "\x00\x3b\x96\x39\x91\x00\x00\x00\x14\x49\x44\x41\x54\x78\x9c\x63\x3c\x21\x27\xc7\x00\x03\x4c\x0c\x48\x00\x85\x03"
    "\x00\x26\xda\x01\x0a\x40\x00\x3b\x0f\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    77};
std::string const green_png{
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x04\x00\x00\x00\x03\x08\x02\x00\x00"
    "\x00\x3b\x96\x39\x91\x00\x00\x00\x14\x49\x44\x41\x54\x78\x9c\x63\x94\x3b\x21\xc7\x00\x03\x4c\x0c\x48\x00\x85\x03"
    "\x00\x26\x30\x01\x0a\xa6\x24\x88\xb5\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    77};

unsigned mode_of(fs::path const& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Attachments : public service_fixture {
 protected:
  void SetUp() override {
    service_fixture::SetUp();
    cfg.data_dir = data_dir();
    coaches = create_coaches();
    join(coaches, bob);
    other = must(groups().create(alice, "runners", ""), "create runners").group.id;
    join(other, bob);
  }
  void TearDown() override {
    attachments_.reset();  // its workers and writer jobs end before the writer stops
    service_fixture::TearDown();
  }

  // Made on first use, after a test has set cfg.attachments; wired to messages for erasure.
  service::attachments& attachments() {
    if (!attachments_) {
      attachments_ = std::make_unique<service::attachments>(ctx());
      messages().set_file_eraser([this](auto const& hashes) { attachments_->erase_unused_files(hashes); });
    }
    return *attachments_;
  }

  // begin_upload, the body written as the gateway would, finish_upload, and its answer.
  result<attachment_info> upload(principal const& who, group_id g, std::string const& name, std::string const& bytes,
                                 std::optional<std::uint64_t> declared = std::nullopt) {
    auto slot = attachments().begin_upload(who.user, g, name, declared ? declared : std::optional<std::uint64_t>(bytes.size()));
    if (!slot) return slot.error();
    {
      std::ofstream out(slot->file, std::ios::binary | std::ios::trunc);
      out << bytes;
    }
    std::promise<result<attachment_info>> answer;
    auto future = answer.get_future();
    attachments().finish_upload(who.user, std::move(*slot), [&answer](result<attachment_info> r) { answer.set_value(std::move(r)); });
    if (future.wait_for(120s) != std::future_status::ready) throw std::runtime_error("the upload never finished");
    return future.get();
  }

  result<service::send_result> send_with(principal const& who, group_id g, std::string body, std::vector<std::string> ids) {
    send_request req{g, std::move(body), "cm-att-" + std::to_string(++sent_), std::nullopt, {}};
    req.attachments = std::move(ids);
    return messages().send(who.user, std::move(req));
  }

  std::string sha_of(std::string const& id, char const* column = "sha256") {
    return query_column(std::string("SELECT ") + column + " FROM attachments WHERE id = '" + id + "'").at(0);
  }
  bool stored(std::string const& sha) { return fs::exists(attachments().files().path_of(sha)); }
  std::size_t temp_files() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto const& f : fs::directory_iterator(attachments().files().uploads_dir())) ++n;
    return n;
  }
  std::optional<message_view> in_history(principal const& who, group_id g, seq_t seq) {
    for (auto& m : must(messages().history(who.user, g, std::nullopt, 200), "history"))
      if (m.seq == seq) return m;
    return std::nullopt;
  }

  group_id coaches{};
  group_id other{};  // alice's second group "runners", with bob
  int sent_ = 0;

 private:
  std::unique_ptr<service::attachments> attachments_;
};

// ---- uploads -------------------------------------------------------------------------------

TEST_F(Attachments, AnImageIsStoredContentAddressedWithAThumbnailAndNothingLeftBehind) {
  auto info = upload(bob, coaches, "whiteboard.png", red_png);
  ASSERT_OK(info);
  EXPECT_EQ(info->id.size(), 22u);  // 128 random bits in base64url
  EXPECT_EQ(info->name, "whiteboard.png");
  EXPECT_EQ(info->mime, "image/png");
  EXPECT_EQ(info->width, 4);
  EXPECT_EQ(info->height, 3);
  EXPECT_FALSE(info->duration_ms);
  EXPECT_TRUE(info->thumb);
  auto sha = sha_of(info->id);
  auto path = attachments().files().path_of(sha);
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(store::sha256_of_file(path), sha);  // named by its bytes
  EXPECT_EQ(fs::file_size(path), info->size);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path.parent_path()), 0700u);
  EXPECT_TRUE(stored(sha_of(info->id, "thumb_sha256")));
  EXPECT_EQ(temp_files(), 0u);
  auto stats = attachments().statistics();
  EXPECT_EQ(stats.files_stored, 2u);  // the image and its thumbnail
  EXPECT_EQ(stats.bytes_stored, info->size + fs::file_size(attachments().files().path_of(sha_of(info->id, "thumb_sha256"))));
  EXPECT_EQ(stats.uploads, 1u);
}

TEST_F(Attachments, ADocumentIsStoredAsItIsAndServedAsADownload) {
  std::string text = "Accountability chart\n1. Sales\n";
  auto info = upload(bob, coaches, "chart.txt", text);
  ASSERT_OK(info);
  EXPECT_EQ(info->mime, "text/plain");
  EXPECT_FALSE(info->thumb);
  auto d = attachments().open(alice.user, info->id, false);
  ASSERT_OK(d);
  EXPECT_EQ(read_file(d->file), text);
  EXPECT_EQ(d->name, "chart.txt");
  EXPECT_EQ(d->mime, "text/plain");
  EXPECT_EQ(d->size, text.size());
  EXPECT_FALSE(d->inline_ok);
  EXPECT_ERRC(attachments().open(alice.user, info->id, true), not_found);  // no thumbnail
}

TEST_F(Attachments, HtmlNamedJpgIsPlainTextAndNeverInline) {
  auto info = upload(bob, coaches, "cat.jpg", "<html><script>alert(1)</script></html>");
  ASSERT_OK(info);
  EXPECT_EQ(info->mime, "text/plain");
  EXPECT_FALSE(must(attachments().open(bob.user, info->id, false)).inline_ok);
}

TEST_F(Attachments, OpenServesMembersOnlyAndTheThumbnailAsJpeg) {
  auto info = must(upload(bob, coaches, "whiteboard.png", red_png));
  auto full = attachments().open(alice.user, info.id, false);
  ASSERT_OK(full);
  EXPECT_EQ(full->mime, "image/png");
  EXPECT_TRUE(full->inline_ok);
  auto thumb = attachments().open(alice.user, info.id, true);
  ASSERT_OK(thumb);
  EXPECT_EQ(thumb->mime, "image/jpeg");
  EXPECT_EQ(thumb->size, fs::file_size(thumb->file));
  EXPECT_EQ(read_file(thumb->file).substr(0, 3), "\xFF\xD8\xFF");
  EXPECT_ERRC(attachments().open(carol.user, info.id, false), not_found);  // not a member
  EXPECT_ERRC(attachments().open(carol.user, info.id, true), not_found);
  EXPECT_ERRC(attachments().open(alice.user, "AAAAAAAAAAAAAAAAAAAAAA", false), not_found);
  EXPECT_ERRC(attachments().open(alice.user, "../../etc/passwd", false), not_found);
}

TEST_F(Attachments, BeginUploadChecksMembershipNameAndDeclaredSize) {
  cfg.attachments.max_bytes = 1000;
  EXPECT_ERRC(attachments().begin_upload(carol.user, coaches, "a.txt", 10), not_found);
  EXPECT_ERRC(attachments().begin_upload(alice.user, group_id{9999}, "a.txt", 10), not_found);
  for (std::string bad : std::vector<std::string>{"", "   ", "dir/", "..", "%2e%2e", std::string("\x01\x02"), std::string(256, 'x'), std::string("\xff\xfe.txt")})
    EXPECT_ERRC(attachments().begin_upload(alice.user, coaches, bad, 10), bad_request) << "name: " << bad;
  auto too_big = attachments().begin_upload(alice.user, coaches, "a.txt", 1001);
  EXPECT_ERRC(too_big, payload_too_large);
  auto slot = attachments().begin_upload(alice.user, coaches, "..%2F..%2Fetc%2Fpass%0Awd", 1000);
  ASSERT_OK(slot);
  EXPECT_EQ(slot->name, "passwd");
  EXPECT_EQ(slot->max_bytes, 1000u);
  EXPECT_EQ(slot->group, coaches);
  attachments().abandon_upload(*slot);
  EXPECT_EQ(must(attachments().begin_upload(alice.user, coaches, "C:\\Users\\me\\Über Plan.pdf", std::nullopt)).name,
            "Über Plan.pdf");
  EXPECT_EQ(temp_files(), 1u);  // the last slot; abandoned ones are gone
}

TEST_F(Attachments, UploadsSpendTheUploadersBudget) {
  cfg.attachments.uploads_burst = 2;
  cfg.attachments.uploads_per_minute = 1;
  for (int i = 0; i < 2; ++i) attachments().abandon_upload(must(attachments().begin_upload(bob.user, coaches, "a.txt", 1)));
  auto third = attachments().begin_upload(bob.user, coaches, "a.txt", 1);
  ASSERT_ERRC(third, rate_limited);
  EXPECT_GT(third.error().retry_after_ms, 0);
  EXPECT_OK(attachments().begin_upload(alice.user, coaches, "a.txt", 1));  // a budget per user
}

TEST_F(Attachments, TheQuotaRefusesBeforeAndAfterTheBody) {
  std::string text(600, 'x');
  cfg.attachments.quota_bytes = 1000;
  ASSERT_OK(upload(bob, coaches, "a.txt", text));
  // Declared: 600 stored + 600 announced > 1000.
  auto declared = attachments().begin_upload(bob.user, coaches, "b.txt", 600);
  ASSERT_ERRC(declared, payload_too_large);
  EXPECT_EQ(declared.error().message, "the server's storage for attachments is full");
  // Undeclared (chunked): refused once the bytes are known, and nothing stays behind.
  auto after = upload(bob, coaches, "b.txt", std::string(600, 'y'), std::uint64_t{0});
  EXPECT_ERRC(after, payload_too_large);
  // The same bytes again cost nothing: they are stored once.
  EXPECT_OK(upload(bob, coaches, "again.txt", text, std::uint64_t{0}));
  EXPECT_EQ(attachments().statistics().bytes_stored, 600u);
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(Attachments, ABodyOverMaxBytesOrABrokenImageIsRefusedWithoutATrace) {
  cfg.attachments.max_bytes = 100;
  auto big = upload(bob, coaches, "big.txt", std::string(101, 'x'), std::uint64_t{0});
  EXPECT_ERRC(big, payload_too_large);
  auto broken = upload(bob, coaches, "broken.png", red_png.substr(0, 40));
  EXPECT_ERRC(broken, bad_request);
  auto empty = upload(bob, coaches, "empty.txt", "");
  EXPECT_ERRC(empty, bad_request);
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_TRUE(attachments().files().list().empty());
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM attachments"), 0);
  EXPECT_EQ(attachments().statistics().refused, 3u);
}

TEST_F(Attachments, AnImageOverThePixelLimitIsRefused) {
  cfg.attachments.max_image_pixels = 11;  // the red PNG has 12
  EXPECT_ERRC(upload(bob, coaches, "whiteboard.png", red_png), bad_request);
  EXPECT_EQ(temp_files(), 0u);
}

TEST_F(Attachments, AnUploaderWhoLeftBeforeTheBodyWasStoredGetsNotFound) {
  auto slot = must(attachments().begin_upload(bob.user, coaches, "a.txt", 5));
  { std::ofstream(slot.file) << "hello"; }
  must(groups().remove_member(alice, coaches, bob.user.id), "remove bob");
  std::promise<result<attachment_info>> answer;
  attachments().finish_upload(bob.user, slot, [&](result<attachment_info> r) { answer.set_value(std::move(r)); });
  auto future = answer.get_future();
  ASSERT_EQ(future.wait_for(120s), std::future_status::ready);
  EXPECT_ERRC(future.get(), not_found);
  EXPECT_EQ(temp_files(), 0u);
  EXPECT_TRUE(attachments().files().list().empty());
}

// ---- attaching -----------------------------------------------------------------------------

TEST_F(Attachments, AnUploadIsAttachedOnceByItsUploaderInItsGroup) {
  auto bobs = must(upload(bob, coaches, "a.txt", "bob's notes"));
  auto bobs_elsewhere = must(upload(bob, other, "b.txt", "for the runners"));
  seq_t last = query_int("SELECT last_seq FROM groups WHERE id = " + id_of(coaches));
  auto expect_refused = [&](result<service::send_result> r, std::string const& id) {
    ASSERT_ERRC(r, bad_request);
    EXPECT_NE(r.error().message.find(id), std::string::npos) << r.error().message;
  };
  expect_refused(send_with(alice, coaches, "", {bobs.id}), bobs.id);                   // not alice's
  expect_refused(send_with(bob, coaches, "", {bobs_elsewhere.id}), bobs_elsewhere.id);  // another group
  expect_refused(send_with(bob, coaches, "", {"AAAAAAAAAAAAAAAAAAAAAA"}), "AAAAAAAAAAAAAAAAAAAAAA");  // unknown
  expect_refused(send_with(bob, coaches, "", {bobs.id, bobs.id}), bobs.id);            // twice in one message
  // Nothing was stored by the refusals.
  EXPECT_EQ(query_int("SELECT last_seq FROM groups WHERE id = " + id_of(coaches)), last);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM attachments WHERE message_seq IS NOT NULL"), 0);
  ASSERT_OK(send_with(bob, coaches, "", {bobs.id}));
  expect_refused(send_with(bob, coaches, "", {bobs.id}), bobs.id);  // already attached
}

TEST_F(Attachments, SendChecksTheIdsAndTheBody) {
  EXPECT_ERRC(send_with(bob, coaches, "", {}), bad_request);  // no text, no attachments
  EXPECT_ERRC(send_with(bob, coaches, "", {"not an id!"}), bad_request);
  EXPECT_ERRC(send_with(bob, coaches, "", {std::string(65, 'a')}), bad_request);
  std::vector<std::string> eleven(11, "AAAAAAAAAAAAAAAAAAAAAA");
  auto r = send_with(bob, coaches, "hi", eleven);
  ASSERT_ERRC(r, bad_request);
  EXPECT_NE(r.error().message.find("10"), std::string::npos);
}

TEST_F(Attachments, AMessageCarriesItsAttachmentsInItsEventAndInHistory) {
  auto photo = must(upload(bob, coaches, "whiteboard.png", red_png));
  auto chart = must(upload(bob, coaches, "chart.txt", "1. Sales"));
  auto sent = send_with(bob, coaches, "", {chart.id, photo.id});
  ASSERT_OK(sent);
  auto wire = json::parse(*sent->message.wire);
  EXPECT_EQ(wire.at("body"), "");
  ASSERT_EQ(wire.at("attachments").size(), 2u);
  auto const& first = wire.at("attachments").at(0);  // in the order sent
  EXPECT_EQ(first.at("id"), chart.id);
  EXPECT_EQ(first.at("name"), "chart.txt");
  EXPECT_EQ(first.at("size"), chart.size);
  EXPECT_EQ(first.at("mime"), "text/plain");
  EXPECT_FALSE(first.contains("width"));
  EXPECT_EQ(first.at("thumb"), false);
  auto const& second = wire.at("attachments").at(1);
  EXPECT_EQ(second.at("id"), photo.id);
  EXPECT_EQ(second.at("mime"), "image/png");
  EXPECT_EQ(second.at("width"), 4);
  EXPECT_EQ(second.at("height"), 3);
  EXPECT_EQ(second.at("thumb"), true);
  EXPECT_EQ(events_of(coaches, alice, sent->message.seq - 1).at(0), wire);  // stored as sent

  auto m = in_history(alice, coaches, sent->message.seq);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->attachments.size(), 2u);
  EXPECT_EQ(m->attachments[0].id, chart.id);
  EXPECT_EQ(m->attachments[1].id, photo.id);
  EXPECT_EQ(m->attachments[1].width, 4);
  auto history_json = protocol::to_json(*m);
  EXPECT_EQ(json::parse(history_json.dump()).at("attachments"), wire.at("attachments"));

  // A text message carries no `attachments` at all.
  auto plain = json::parse(*must(send_with(bob, coaches, "thanks", {})).message.wire);
  EXPECT_FALSE(plain.contains("attachments"));
  EXPECT_FALSE(protocol::to_json(*in_history(bob, coaches, plain.at("seq").get<seq_t>())).contains("attachments"));
}

// ---- erasure -------------------------------------------------------------------------------

TEST_F(Attachments, DeletingAMessageErasesItsFilesUnlessAnotherMessageUsesThem) {
  auto photo = must(upload(bob, coaches, "whiteboard.png", red_png));
  auto same_photo = must(upload(bob, coaches, "again.png", red_png));  // the same bytes: one file
  auto chart = must(upload(bob, coaches, "chart.txt", "1. Sales"));
  std::string photo_sha = sha_of(photo.id), thumb_sha = sha_of(photo.id, "thumb_sha256"), chart_sha = sha_of(chart.id);
  EXPECT_EQ(sha_of(same_photo.id), photo_sha);
  seq_t first = must(send_with(bob, coaches, "both", {photo.id, chart.id})).message.seq;
  seq_t second = must(send_with(bob, coaches, "", {same_photo.id})).message.seq;

  ASSERT_OK(messages().remove(bob.user, coaches, first));
  EXPECT_FALSE(stored(chart_sha));  // gone from disk when DELETE answers
  EXPECT_TRUE(stored(photo_sha));   // the second message still shows it
  EXPECT_TRUE(stored(thumb_sha));
  EXPECT_ERRC(attachments().open(alice.user, chart.id, false), not_found);
  EXPECT_ERRC(attachments().open(alice.user, photo.id, false), not_found);
  EXPECT_OK(attachments().open(alice.user, same_photo.id, false));
  auto deleted_event = events_of(coaches, alice, first - 1).at(0);
  EXPECT_FALSE(deleted_event.contains("attachments"));  // the names were the user's words too
  EXPECT_TRUE(in_history(alice, coaches, first)->attachments.empty());

  ASSERT_OK(messages().remove(alice.user, coaches, second));  // an owner deletes
  EXPECT_FALSE(stored(photo_sha));
  EXPECT_FALSE(stored(thumb_sha));
  EXPECT_TRUE(attachments().files().list().empty());
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM attachment_files"), 0);
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM attachments"), 0);
}

TEST_F(Attachments, AnUnattachedUploadOfTheSameBytesKeepsTheFileOfADeletedMessage) {
  auto chart = must(upload(bob, coaches, "chart.txt", "1. Sales"));
  auto pending = must(upload(bob, coaches, "chart-copy.txt", "1. Sales"));
  seq_t seq = must(send_with(bob, coaches, "", {chart.id})).message.seq;
  ASSERT_OK(messages().remove(bob.user, coaches, seq));
  EXPECT_TRUE(stored(sha_of(pending.id)));
  EXPECT_OK(send_with(bob, coaches, "", {pending.id}));
}

TEST_F(Attachments, AFileADeleteCouldNotEraseDuringABackupGoesWithTheNextSweep) {
  auto chart = must(upload(bob, coaches, "chart.txt", "1. Sales"));  // placed just now: no hour old
  std::string chart_sha = sha_of(chart.id);
  seq_t seq = must(send_with(bob, coaches, "", {chart.id})).message.seq;
  {
    // `peerchat backup` copying files: its snapshot may list this one, so it stays meanwhile.
    store::backup_pin backup(attachments().files().root(), store::backup_pin::mode::backup);
    ASSERT_OK(messages().remove(bob.user, coaches, seq));
    EXPECT_TRUE(stored(chart_sha));
  }
  EXPECT_EQ(query_int("SELECT COUNT(*) FROM attachment_files"), 0);  // the rows went with the delete
  attachments().sweep();
  EXPECT_FALSE(stored(chart_sha)) << "the next sweep erases it, not only once it is an hour old";
}

// ---- the sweep -----------------------------------------------------------------------------

TEST_F(Attachments, TheSweepRemovesUploadsNeverAttachedAfter24HoursAndNotBefore) {
  auto orphan = must(upload(bob, coaches, "whiteboard.png", red_png));
  auto kept = must(upload(bob, coaches, "chart.txt", "1. Sales"));
  ASSERT_OK(send_with(bob, coaches, "", {kept.id}));
  std::string sha = sha_of(orphan.id), thumb = sha_of(orphan.id, "thumb_sha256");

  clock.advance(24 * 3600 * 1000 - 1);
  EXPECT_EQ(attachments().sweep(), 0u);
  EXPECT_TRUE(stored(sha));
  EXPECT_OK(attachments().open(bob.user, orphan.id, false));

  clock.advance(1);
  EXPECT_EQ(attachments().sweep(), 1u);
  EXPECT_FALSE(stored(sha));
  EXPECT_FALSE(stored(thumb));
  EXPECT_ERRC(attachments().open(bob.user, orphan.id, false), not_found);
  EXPECT_ERRC(send_with(bob, coaches, "", {orphan.id}), bad_request);
  EXPECT_OK(attachments().open(alice.user, kept.id, false));  // attached: never swept
  EXPECT_TRUE(stored(sha_of(kept.id)));
  EXPECT_EQ(attachments().sweep(), 0u);
}

TEST_F(Attachments, TheSweepRemovesStaleTemporaryFilesAndStoredFilesNoRowNames) {
  auto& files = attachments().files();
  auto old_temp = files.new_upload_file();
  auto fresh_temp = files.new_upload_file();
  fs::last_write_time(old_temp, fs::file_time_type::clock::now() - 25h);
  // Stored files with no row: what a crash between placing a file and its commit leaves.
  auto place = [&](std::string const& bytes) {
    auto f = files.new_upload_file();
    { std::ofstream(f, std::ios::binary) << bytes; }
    auto sha = store::sha256_of_file(f);
    files.place(f, sha);
    return sha;
  };
  auto stale = place("left by a crash");
  auto recent = place("being stored right now");
  fs::last_write_time(files.path_of(stale), fs::file_time_type::clock::now() - 2h);
  auto used = must(upload(bob, coaches, "chart.txt", "1. Sales"));
  fs::last_write_time(files.path_of(sha_of(used.id)), fs::file_time_type::clock::now() - 2h);

  attachments().sweep();
  EXPECT_FALSE(fs::exists(old_temp));
  EXPECT_TRUE(fs::exists(fresh_temp));
  EXPECT_FALSE(stored(stale));
  EXPECT_TRUE(stored(recent));                // younger than an hour: maybe a commit in flight
  EXPECT_TRUE(stored(sha_of(used.id)));       // a row names it
}

}  // namespace
}  // namespace peerchat::unit
