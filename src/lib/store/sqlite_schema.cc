// Schema versions of the SQLite store. Each entry is the SQL of one step.
//
// Addresses compare COLLATE NOCASE: RFC 5321 2.4 lets a host treat local parts
// case-sensitively, but mailbox providers do not, and a bounce for
// "John@example.com" must stop a later send to "john@example.com" — sending
// again to a known-bad address is what costs reputation. The stored text keeps
// the case it arrived with.
#include "store/sqlite_schema.hh"

#include <array>
#include <string>

namespace sendsentry::store::schema {
namespace {

    // Version 1: the suppression list and the event log.
    constexpr std::string_view v1 = R"sql(
CREATE TABLE suppression (
    address    TEXT    NOT NULL COLLATE NOCASE,
    scope      TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL CHECK (reason IN
                   ('hard_bounce', 'complaint', 'soft_bounce', 'unsubscribe', 'manual')),
    source     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    hits       INTEGER NOT NULL DEFAULT 1,
    expires    INTEGER,
    note       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (address, scope)
) WITHOUT ROWID;
CREATE INDEX suppression_last_seen ON suppression (last_seen);
CREATE INDEX suppression_expires ON suppression (expires) WHERE expires IS NOT NULL;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    recipient   TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    sender      TEXT    NOT NULL DEFAULT '',
    scope       TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL DEFAULT '',
    message_key TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_recipient ON events (recipient, kind, at);
)sql";

    // Version 2: what the bounce program and policyd need beyond the list:
    // idempotency keys, quarantine, counters, senders, rate-limit state.
    constexpr std::string_view v2 = R"sql(
CREATE TABLE processed (
    key TEXT    PRIMARY KEY,
    at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX processed_at ON processed (at);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    message_key TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    content     BLOB    NOT NULL
);

CREATE TABLE counters (
    subject TEXT    NOT NULL COLLATE NOCASE,
    name    TEXT    NOT NULL,
    bucket  INTEGER NOT NULL,
    value   INTEGER NOT NULL,
    PRIMARY KEY (subject, name, bucket)
) WITHOUT ROWID;

CREATE TABLE senders (
    key          TEXT    PRIMARY KEY COLLATE NOCASE,
    approved     INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'warning', 'suspended')),
    state_since  INTEGER NOT NULL DEFAULT 0,
    state_reason TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE limiter_state (
    key     TEXT    PRIMARY KEY,
    level   REAL    NOT NULL,
    updated INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX events_sender ON events (sender, at);
)sql";

    // Version 3: no index on suppression.last_seen. The list filter's
    // "?3 IS NULL OR last_seen >= ?3" cannot use it, and it cost every
    // insert a second B-tree write (a sixth of a 1,000,000-row import).
    constexpr std::string_view v3 = R"sql(
DROP INDEX IF EXISTS suppression_last_seen;
)sql";

    // Version 4: the reason CHECK as comparisons. SQLite 3.40 builds a
    // temporary b-tree for "reason IN (...)" on every insert or update, a
    // quarter of an import's time; SQLite changes a CHECK only by copying
    // the table.
    constexpr std::string_view v4 = R"sql(
CREATE TABLE suppression_v4 (
    address    TEXT    NOT NULL COLLATE NOCASE,
    scope      TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL CHECK (reason = 'hard_bounce' OR reason = 'complaint'
                   OR reason = 'soft_bounce' OR reason = 'unsubscribe' OR reason = 'manual'),
    source     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    hits       INTEGER NOT NULL DEFAULT 1,
    expires    INTEGER,
    note       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (address, scope)
) WITHOUT ROWID;
INSERT INTO suppression_v4 (address, scope, reason, source, detail, first_seen, last_seen, hits, expires, note)
    SELECT address, scope, reason, source, detail, first_seen, last_seen, hits, expires, note FROM suppression;
DROP TABLE suppression;
ALTER TABLE suppression_v4 RENAME TO suppression;
CREATE INDEX suppression_expires ON suppression (expires) WHERE expires IS NOT NULL;
)sql";
    // Version 5: how many refusals one event stands for. policyd writes a
    // refusal about the sender (rate limit, suspension, approval) once per
    // sender, reason and write-behind batch, with this count: one row per
    // refused RCPT and message grew the file by 2.5 MB/s while a flood of
    // mail over its limit was refused (bench/policy_bench.sh).
    constexpr std::string_view v5 = R"sql(
ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
)sql";
    constexpr std::array<std::string_view, 5> all = { v1, v2, v3, v4, v5 };

} // namespace

std::span<const std::string_view> migrations() noexcept { return all; }

int latest_version() noexcept { return static_cast<int>(all.size()); }

Result<int> user_version(Database& db)
{
    auto stmt = db.prepare("PRAGMA user_version");
    if (!stmt)
        return std::move(stmt).error();
    StatementReset guard(*stmt);
    auto row = stmt->step();
    if (!row)
        return std::move(row).error();
    if (!row.value())
        return make_error(ErrorKind::internal, "PRAGMA user_version returned no row");
    return static_cast<int>(stmt->column_int(0));
}

namespace {

    Status check_not_newer(int version)
    {
        if (version > latest_version())
            return make_error(ErrorKind::invalid,
                "database schema version " + std::to_string(version) + " is newer than this program ("
                    + std::to_string(latest_version()) + "); upgrade sendsentry");
        if (version < 0)
            return make_error(ErrorKind::corrupt, "database schema version " + std::to_string(version));
        return {};
    }

    Status apply(Database& db, int from, int target)
    {
        for (int v = from; v < target; ++v) {
            if (auto s = db.exec(all[static_cast<std::size_t>(v)]); !s)
                return make_error(s.error().kind,
                    "migration to version " + std::to_string(v + 1) + ": " + s.error().message);
        }
        // PRAGMA takes no bound parameter; TARGET is our own small integer.
        return db.exec("PRAGMA user_version = " + std::to_string(target));
    }

} // namespace

Status migrate(Database& db, int target)
{
    if (target < 0)
        target = latest_version();
    auto version = user_version(db);
    if (!version)
        return std::move(version).error();
    if (auto s = check_not_newer(*version); !s)
        return s;
    if (*version >= target)
        return {};

    if (auto s = db.exec("BEGIN IMMEDIATE"); !s)
        return s;
    // Another process may have migrated while we waited for the lock.
    version = user_version(db);
    Status result = version ? check_not_newer(*version) : Status(std::move(version).error());
    if (result && *version < target)
        result = apply(db, *version, target);
    if (result)
        result = db.exec("COMMIT");
    if (!result) {
        // The error above is what matters; a failed rollback leaves nothing
        // committed either (SQLite rolls back when the connection closes).
        (void)db.exec("ROLLBACK");
        return result;
    }
    return {};
}

} // namespace sendsentry::store::schema
