// SPDX-License-Identifier: MIT
// Schema migrations, embedded from migrations/NNNN_name.sql and tracked by PRAGMA user_version.
#pragma once
#include "peerchat/store/database.hpp"

namespace peerchat::store {

// The schema version this binary writes (the highest embedded migration number).
int latest_schema_version();

// Applies every migration newer than the database's user_version, each in its own
// transaction. Throws std::runtime_error with a sentence a self-hoster can act on when the
// database comes from a newer peerchat.
void migrate(database& db);

}  // namespace peerchat::store
