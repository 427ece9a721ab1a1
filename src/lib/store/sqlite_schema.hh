// The SQLite schema and its versioned migrations (PRAGMA user_version).
// Used by sqlite_store when it opens a database, and by tests that build a
// database at an older version to prove the upgrade path.
#pragma once

#include "core/result.hh"
#include "store/sqlite_handle.hh"

#include <span>
#include <string_view>

namespace sendsentry::store::schema {

// Migration N (1-based) takes a database from version N-1 to N. Released
// migrations are never edited; a change is a new entry at the end.
std::span<const std::string_view> migrations() noexcept;

int latest_version() noexcept;

[[nodiscard]] Result<int> user_version(Database& db);

// Brings DB to TARGET (default: latest) inside one BEGIN IMMEDIATE
// transaction, so two processes opening a new file at once migrate it once.
// A database newer than this program is refused (ErrorKind::invalid).
[[nodiscard]] Status migrate(Database& db, int target = -1);

} // namespace sendsentry::store::schema
