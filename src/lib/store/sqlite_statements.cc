// The SQL of every statement of a store connection; see sqlite_statements.hh.
#include "store/sqlite_statements.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::store {
namespace {

    constexpr std::string_view suppression_columns
        = "address, scope, reason, source, detail, first_seen, last_seen, hits, expires, note";

    // Filter parameters shared by each_suppression and count_suppressions:
    // ?1 reason, ?2 scope, ?3 since, ?4 glob pattern, ?5 now (NULL: expired too).
    constexpr std::string_view suppression_filter
        = " WHERE (?1 IS NULL OR reason = ?1) AND (?2 IS NULL OR scope = ?2)"
          " AND (?3 IS NULL OR last_seen >= ?3) AND (?4 IS NULL OR address GLOB ?4)"
          " AND (?5 IS NULL OR expires IS NULL OR expires > ?5)";

    struct Sql {
        Statement SqliteStore::Statements::*member;
        std::string text;
    };

    std::vector<Sql> statement_texts()
    {
        using S = SqliteStore::Statements;
        const std::string cols(suppression_columns);
        const std::string filter(suppression_filter);
        return {
            { &S::begin, "BEGIN IMMEDIATE" },
            { &S::commit, "COMMIT" },
            { &S::rollback, "ROLLBACK" },
            // ?1 address ?2 sender domain ?3 now. One walk over the address's
            // rows in key order, where the global entry ('') comes first:
            // "scope IN ('', ?2)" or "ORDER BY" would build a temporary
            // b-tree on every lookup (the policy daemon makes one per RCPT).
            { &S::find_suppression,
                "SELECT " + cols
                    + " FROM suppression WHERE address = ?1 AND scope >= '' AND (scope = '' OR scope = ?2)"
                      " AND (expires IS NULL OR expires > ?3) ORDER BY scope LIMIT 1" },
            // ?1 address ?2 now
            { &S::suppressions_of,
                "SELECT " + cols
                    + " FROM suppression WHERE address = ?1 AND (expires IS NULL OR expires > ?2) ORDER BY "
                      "scope" },
            { &S::get_suppression, "SELECT " + cols + " FROM suppression WHERE address = ?1 AND scope = ?2" },
            { &S::put_suppression,
                "INSERT OR REPLACE INTO suppression (" + cols
                    + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" },
            { &S::upsert_suppression,
                "INSERT INTO suppression (" + cols
                    + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                      " ON CONFLICT (address, scope) DO UPDATE SET reason = excluded.reason,"
                      " source = excluded.source, detail = excluded.detail,"
                      " first_seen = min(first_seen, excluded.first_seen), last_seen = excluded.last_seen,"
                      " hits = excluded.hits, expires = excluded.expires, note = excluded.note" },
            { &S::remove_suppression, "DELETE FROM suppression WHERE address = ?1 AND scope = ?2" },
            { &S::purge_expired, "DELETE FROM suppression WHERE expires IS NOT NULL AND expires <= ?1" },
            { &S::each_suppression,
                "SELECT " + cols + " FROM suppression" + filter
                    + " ORDER BY address, scope LIMIT ?6 OFFSET ?7" },
            { &S::count_suppressions, "SELECT count(*) FROM suppression" + filter },
            // ?1 now
            { &S::stats_total,
                "SELECT count(*), coalesce(sum(expires IS NULL OR expires > ?1), 0) FROM suppression" },
            { &S::stats_by_reason,
                "SELECT reason, count(*) FROM suppression WHERE expires IS NULL OR expires > ?1"
                " GROUP BY reason ORDER BY reason" },
            { &S::stats_scoped,
                "SELECT count(*) FROM suppression WHERE scope <> '' AND (expires IS NULL OR expires > ?1)" },
            { &S::add_event,
                "INSERT INTO events (at, kind, recipient, sender, scope, detail, source, message_key, count)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" },
            // ?1 recipient ?2 kind ?3 since
            { &S::count_events,
                "SELECT coalesce(sum(count), 0) FROM events WHERE recipient = ?1 AND kind = ?2 AND at >= "
                "?3" },
            // ?1 kind ?2 recipient ?3 sender ?4 since ?5 until ?6 limit ?7 offset
            { &S::list_events,
                "SELECT id, at, kind, recipient, sender, scope, detail, source, message_key, count FROM "
                "events"
                " WHERE (?1 IS NULL OR kind = ?1) AND (?2 = '' OR recipient = ?2) AND (?3 = '' OR sender = "
                "?3)"
                " AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)"
                " ORDER BY id DESC LIMIT ?6 OFFSET ?7" },
            { &S::mark_processed, "INSERT OR IGNORE INTO processed (key, at) VALUES (?1, ?2)" },
            { &S::forget_processed, "DELETE FROM processed WHERE at < ?1" },
            { &S::add_quarantine,
                "INSERT INTO quarantine (at, message_key, reason, content) VALUES (?1, ?2, ?3, ?4)" },
            { &S::list_quarantine,
                "SELECT id, at, message_key, reason FROM quarantine ORDER BY id DESC LIMIT ?1 OFFSET ?2" },
            { &S::get_quarantined,
                "SELECT id, at, message_key, reason, content FROM quarantine WHERE id = ?1" },
            { &S::add_counter,
                "INSERT INTO counters (subject, name, bucket, value) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT (subject, name, bucket) DO UPDATE SET value = value + excluded.value" },
            { &S::sum_counter,
                "SELECT coalesce(sum(value), 0) FROM counters WHERE subject = ?1 AND name = ?2 AND bucket >= "
                "?3" },
            { &S::list_counters,
                "SELECT subject, name, bucket, value FROM counters WHERE (?1 = '' OR subject = ?1)"
                " AND bucket >= ?2 ORDER BY subject, name, bucket" },
            { &S::put_sender,
                "INSERT OR REPLACE INTO senders (key, approved, state, state_since, state_reason, note)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)" },
            { &S::remove_sender, "DELETE FROM senders WHERE key = ?1" },
            { &S::get_sender,
                "SELECT key, approved, state, state_since, state_reason, note FROM senders WHERE key = ?1" },
            { &S::list_senders,
                "SELECT key, approved, state, state_since, state_reason, note FROM senders ORDER BY key" },
            { &S::save_limiter,
                "INSERT OR REPLACE INTO limiter_state (key, level, updated) VALUES (?1, ?2, ?3)" },
            { &S::forget_limiters, "DELETE FROM limiter_state WHERE updated < ?1" },
            { &S::load_limiters, "SELECT key, level, updated FROM limiter_state ORDER BY key" },
        };
    }

} // namespace

Result<std::unique_ptr<SqliteStore::Statements>> prepare_statements(Database& db)
{
    auto stmts = std::make_unique<SqliteStore::Statements>();
    for (const Sql& sql : statement_texts()) {
        auto s = db.prepare(sql.text);
        if (!s)
            return std::move(s).error();
        (*stmts).*(sql.member) = std::move(s).value();
    }
    return stmts;
}

} // namespace sendsentry::store
