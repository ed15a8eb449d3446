// SPDX-License-Identifier: MIT
// Opening the store for the services, and the few store-wide questions the gateway asks.
#include "peerchat/service/backend.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/meta.hpp"
#include "peerchat/store/migrations.hpp"
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace peerchat::service {

namespace {
// Creates the data dir, checks it is writable, migrates the database; returns its path.
std::filesystem::path prepare_store(std::filesystem::path const& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + data_dir.string() + ": " + ec.message());
  auto probe = data_dir / ".write-test";
  {
    std::ofstream out(probe);
    if (!out || !(out << "ok") || !out.flush())
      throw std::runtime_error("data dir " + data_dir.string() + " is not writable");
  }
  std::filesystem::remove(probe, ec);
  auto file = data_dir / "peerchat.db";
  store::database db(file, store::database::mode::read_write);
  store::migrate(db);
  return file;
}
}  // namespace

backend::backend(config const& cfg, peerchat::clock const& clock)
    : writer_(prepare_store(cfg.data_dir), cfg.limits.writer_queue_jobs),
      reader_(cfg.data_dir / "peerchat.db"),
      epoch_(reader_.with([](store::database& db) { return store::read_epoch(db); })),
      ctx{writer_, reader_, clock, cfg, {}},
      accounts(ctx),
      groups(ctx),
      invites(ctx),
      messages(ctx),
      attachments(ctx),
      setup(ctx),
      notifications(ctx),
      passwords(ctx),
      devices(ctx, accounts.last_seen_writes()),
      profiles(ctx),
      avatars(ctx, attachments),
      user_admin(ctx, messages),
      direct(ctx),
      blocks(ctx),
      quizzes(ctx),
      questions(ctx),
      library(ctx),
      kudos(ctx),
      polls(ctx) {
  messages.set_file_eraser([this](std::vector<std::string> const& hashes) { attachments.erase_unused_files(hashes); });
}

void backend::tick() {
  // One line per timed service.
  quizzes.tick();
  polls.tick();
}

void backend::set_publisher(std::function<void(std::vector<event> const&)> publish) {
  writer_.set_publisher(std::move(publish));
}

bool backend::store_answers() {
  try {
    return reader_.with([](store::database& db) { return db.prepare("SELECT 1").step(); });
  } catch (std::exception const&) {
    return false;
  }
}

std::vector<std::pair<group_id, user_id>> backend::all_memberships() {
  return reader_.with([](store::database& db) {
    std::vector<std::pair<group_id, user_id>> out;
    auto& st = db.prepare("SELECT group_id, user_id FROM memberships");
    while (st.step()) out.emplace_back(group_id{st.int64(0)}, user_id{st.int64(1)});
    return out;
  });
}

backend::commit_counts backend::commits() const {
  auto s = writer_.statistics();
  return {s.events, s.batches, s.refused};
}

}  // namespace peerchat::service
