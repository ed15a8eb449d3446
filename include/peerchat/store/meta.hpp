// SPDX-License-Identifier: MIT
// The database's own settings (the meta table of migration 0003): its epoch.
#pragma once
#include "peerchat/store/database.hpp"
#include <string>

namespace peerchat::store {

// The database's epoch: 32 lower-case hex digits (128 random bits), made by migration 0003
// and made anew by every restore. After a restore from an older backup a group's seqs
// repeat; clients that remember the epoch see that their cache belongs to another history.
// Throws sqlite_error when the database is not migrated.
std::string read_epoch(database& db);

// Gives the database a new random epoch (a restored copy is another history); returns it.
std::string renew_epoch(database& db);

}  // namespace peerchat::store
