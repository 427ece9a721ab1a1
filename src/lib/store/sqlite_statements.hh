// The SQL of the SQLite store: every statement one connection uses, and
// preparing them all at open. Private to sqlite_store.cc.
#pragma once

#include "core/result.hh"
#include "store/sqlite_handle.hh"
#include "store/sqlite_store.hh"

#include <memory>

namespace sendsentry::store {

// Every statement this connection uses, prepared once at open and reset after
// each use. Parameters are positional (?1...), listed next to each statement.
struct SqliteStore::Statements {
    Statement begin, commit, rollback;
    Statement find_suppression, suppressions_of, get_suppression, put_suppression, upsert_suppression,
        remove_suppression, purge_expired;
    Statement each_suppression, count_suppressions;
    Statement stats_total, stats_by_reason, stats_scoped;
    Statement add_event, count_events, list_events;
    Statement mark_processed, forget_processed;
    Statement add_quarantine, list_quarantine, get_quarantined;
    Statement add_counter, sum_counter, list_counters;
    Statement put_sender, remove_sender, get_sender, list_senders;
    Statement save_limiter, forget_limiters, load_limiters;
};

// Prepares every statement on DB (after its schema is migrated).
[[nodiscard]] Result<std::unique_ptr<SqliteStore::Statements>> prepare_statements(Database& db);

} // namespace sendsentry::store
