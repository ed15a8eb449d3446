// SPDX-License-Identifier: MIT
// Applies the embedded migrations in order, each in its own transaction.
#include "peerchat/store/migrations.hpp"
#include "peerchat/core/embedded_file.hpp"
#include <algorithm>
#include <string>

namespace peerchat::migrations_embedded {
std::span<const peerchat::embedded_file> files();
}

namespace peerchat::store {

namespace {
// The NNNN of "NNNN_name.sql".
int number_of(std::string_view path) { return std::stoi(std::string(path.substr(0, 4))); }

int user_version(database& db) {
  auto& st = db.prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.int64(0));
}
}  // namespace

int latest_schema_version() {
  int latest = 0;
  for (auto const& f : migrations_embedded::files()) latest = std::max(latest, number_of(f.path));
  return latest;
}

void migrate(database& db) {
  int current = user_version(db);
  int latest = latest_schema_version();
  if (current > latest)
    throw std::runtime_error("the database has schema version " + std::to_string(current) +
                             " but this peerchat knows only up to " + std::to_string(latest) +
                             "; it was written by a newer peerchat: run that version, or restore a backup");
  for (auto const& f : migrations_embedded::files()) {
    int n = number_of(f.path);
    if (n <= current) continue;
    transaction tx(db);
    try {
      db.exec(f.content);
      db.exec("PRAGMA user_version = " + std::to_string(n));
    } catch (std::exception const& e) {
      throw std::runtime_error("migration " + std::string(f.path) + " failed: " + e.what());
    }
    tx.commit();
  }
}

}  // namespace peerchat::store
