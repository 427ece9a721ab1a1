// SQLite store: connection set-up (WAL, busy timeout, migrations), the
// prepared statements of one connection, reads, and the write transaction.
#include "store/sqlite_store.hh"

#include "store/sqlite_schema.hh"

#include <chrono>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <utility>

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
                "INSERT INTO events (at, kind, recipient, sender, scope, detail, source, message_key)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)" },
            // ?1 recipient ?2 kind ?3 since
            { &S::count_events,
                "SELECT count(*) FROM events WHERE recipient = ?1 AND kind = ?2 AND at >= ?3" },
            // ?1 kind ?2 recipient ?3 sender ?4 since ?5 until ?6 limit ?7 offset
            { &S::list_events,
                "SELECT id, at, kind, recipient, sender, scope, detail, source, message_key FROM events"
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

    // Binds each argument in order from ?1; stops at the first failure.
    template <class... Args> Status bind_all(Statement& s, const Args&... args)
    {
        Status status;
        int index = 0;
        ((status ? (status = s.bind(++index, args), 0) : 0), ...);
        return status;
    }

    Status bind_optional_text(Statement& s, int index, const std::optional<std::string>& text)
    {
        return text ? s.bind(index, std::string_view(*text)) : s.bind_null(index);
    }

    Result<Suppression> read_suppression(Statement& s)
    {
        Suppression e;
        e.address = s.column_text(0);
        e.scope = s.column_text(1);
        auto reason = parse_reason(s.column_text(2));
        if (!reason)
            return make_error(
                ErrorKind::corrupt, "suppression row of " + e.address + ": " + reason.error().message);
        e.reason = *reason;
        e.source = s.column_text(3);
        e.detail = s.column_text(4);
        e.first_seen = s.column_int(5);
        e.last_seen = s.column_int(6);
        e.hits = s.column_int(7);
        e.expires = s.column_optional_int(8);
        e.note = s.column_text(9);
        return e;
    }

    Result<Sender> read_sender(Statement& s)
    {
        Sender r;
        r.key = s.column_text(0);
        r.approved = s.column_int(1) != 0;
        auto state = parse_sender_state(s.column_text(2));
        if (!state)
            return make_error(ErrorKind::corrupt, "sender row of " + r.key + ": " + state.error().message);
        r.state = *state;
        r.state_since = s.column_int(3);
        r.state_reason = s.column_text(4);
        r.note = s.column_text(5);
        return r;
    }

    // Runs a bound query expected to return one integer row.
    Result<std::int64_t> single_integer(Statement& s)
    {
        StatementReset guard(s);
        auto row = s.step();
        if (!row)
            return std::move(row).error();
        if (!row.value())
            return make_error(ErrorKind::internal, "aggregate query returned no row");
        return s.column_int(0);
    }

    // Steps through every row of a bound query, appending READ(s) to OUT.
    template <class T, class Read> Result<std::vector<T>> collect(Statement& s, Read read)
    {
        StatementReset guard(s);
        std::vector<T> out;
        for (;;) {
            auto row = s.step();
            if (!row)
                return std::move(row).error();
            if (!row.value())
                return out;
            auto item = read(s);
            if (!item)
                return std::move(item).error();
            out.push_back(std::move(item).value());
        }
    }

    template <class T> Error error_of(Result<T>&& r) { return std::move(r).error(); }

    Status configure_connection(Database& db, const OpenOptions& options)
    {
        if (auto s = db.set_busy_timeout(options.busy_timeout_ms); !s)
            return s;
        // PRAGMA takes no bound parameter; these are our own integers.
        constexpr std::int64_t bulk_cache_kib = 256 * 1024;
        std::int64_t cache_kib = std::max<std::int64_t>(0, options.cache_kib);
        if (options.bulk)
            cache_kib = std::max(cache_kib, bulk_cache_kib);
        if (auto s = db.exec("PRAGMA cache_size = -" + std::to_string(cache_kib)); !s)
            return s;
        if (auto s
            = db.exec("PRAGMA mmap_size = " + std::to_string(std::max<std::int64_t>(0, options.mmap_bytes)));
            !s)
            return s;
        if (options.read_only)
            return {};
        // WAL: readers (policyd) never wait for the writer (bounce, CLI).
        auto mode = db.prepare("PRAGMA journal_mode = WAL");
        if (!mode)
            return error_of(std::move(mode));
        {
            StatementReset guard(*mode);
            auto row = mode->step();
            if (!row)
                return error_of(std::move(row));
            if (!row.value() || mode->column_text(0) != "wal")
                return make_error(ErrorKind::io, "cannot switch " + options.path + " to WAL mode");
        }
        // FULL: a committed suppression survives power loss; the bounce
        // program tells Postfix the message is done only after the commit.
        if (!options.bulk)
            return db.exec("PRAGMA synchronous = FULL");
        // Bulk: a checkpoint (copying the WAL into the database, with an
        // fsync) every 40 MB of WAL instead of every 4 MB; a page that many
        // transactions touch is copied once.
        if (auto s = db.exec("PRAGMA wal_autocheckpoint = 10000"); !s)
            return s;
        return db.exec("PRAGMA synchronous = NORMAL");
    }

} // namespace

// ---- Opening

SqliteStore::SqliteStore(Database db, std::unique_ptr<Statements> statements)
    : db_(std::move(db))
    , stmts_(std::move(statements))
{
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const OpenOptions& options)
{
    // Processes that open a new file at once (parallel deliveries to the
    // bounce program, a daemon starting) race on creating it and switching it
    // to WAL, which SQLite reports as "locked" or as an I/O error without
    // waiting. Such an open is tried again until the busy timeout.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
    for (;;) {
        auto store = open_once(options);
        if (store || store.error().kind != ErrorKind::temporary
            || std::chrono::steady_clock::now() >= deadline)
            return store;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open_once(const OpenOptions& options)
{
    auto db = Database::open(options.path, options.create, options.read_only);
    if (!db)
        return error_of(std::move(db));
    if (auto s = configure_connection(*db, options); !s)
        return s.error();
    if (options.read_only) {
        auto v = schema::user_version(*db);
        if (!v)
            return error_of(std::move(v));
        if (*v != schema::latest_version())
            return make_error(ErrorKind::invalid,
                "read-only database " + options.path + " has schema version " + std::to_string(*v)
                    + ", expected " + std::to_string(schema::latest_version()));
    } else if (auto s = schema::migrate(*db); !s) {
        return s.error();
    }
    auto stmts = std::make_unique<Statements>();
    for (const Sql& sql : statement_texts()) {
        auto s = db->prepare(sql.text);
        if (!s)
            return error_of(std::move(s));
        (*stmts).*(sql.member) = std::move(s).value();
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db).value(), std::move(stmts)));
}

// ---- The write transaction

class SqliteTransaction final : public Transaction {
public:
    explicit SqliteTransaction(SqliteStore& store)
        : store_(store)
        , s_(*store.stmts_)
    {
    }

    ~SqliteTransaction() override
    {
        if (open_) {
            // Nothing to report to: the caller dropped the transaction, or
            // an earlier error already was. The rollback result is checked
            // only so that a failure is not silent in the log of SQLite.
            (void)s_.rollback.run();
            store_.in_transaction_ = false;
        }
    }

    Status commit() override
    {
        if (!open_)
            return make_error(ErrorKind::internal, "commit of a finished transaction");
        Status s = s_.commit.run();
        if (!s) {
            // A failed COMMIT (busy, disk full) leaves the transaction open;
            // roll back so the connection is usable again.
            (void)s_.rollback.run();
        }
        open_ = false;
        store_.in_transaction_ = false;
        return s;
    }

    Result<std::optional<Suppression>> get_suppression(
        std::string_view address, std::string_view scope) override
    {
        Statement& q = s_.get_suppression;
        if (auto b = bind_all(q, address, scope); !b)
            return b.error();
        StatementReset guard(q);
        auto row = q.step();
        if (!row)
            return error_of(std::move(row));
        if (!row.value())
            return std::optional<Suppression>();
        auto e = read_suppression(q);
        if (!e)
            return error_of(std::move(e));
        return std::optional<Suppression>(std::move(e).value());
    }

    Status put_suppression(const Suppression& e) override { return write_suppression(s_.put_suppression, e); }

    Status upsert_suppression(const Suppression& e) override
    {
        return write_suppression(s_.upsert_suppression, e);
    }

    Status write_suppression(Statement& q, const Suppression& e)
    {
        // Borrowed: E outlives run(), which resets q.
        Status b = bind_all(q, Borrowed { e.address }, Borrowed { e.scope }, Borrowed { to_string(e.reason) },
            Borrowed { e.source }, Borrowed { e.detail }, e.first_seen, e.last_seen, e.hits, e.expires,
            Borrowed { e.note });
        if (!b) {
            (void)q.reset();
            return b;
        }
        return q.run();
    }

    Result<bool> remove_suppression(std::string_view address, std::string_view scope) override
    {
        auto n = run_counting(s_.remove_suppression, address, scope);
        if (!n)
            return error_of(std::move(n));
        return *n > 0;
    }

    Result<std::int64_t> purge_expired(Time now) override { return run_counting(s_.purge_expired, now); }

    Result<std::int64_t> add_event(const Event& e) override
    {
        Statement& q = s_.add_event;
        Status b = bind_all(q, e.at, to_string(e.kind), std::string_view(e.recipient),
            std::string_view(e.sender), std::string_view(e.scope), std::string_view(e.detail),
            std::string_view(e.source), std::string_view(e.message_key));
        if (!b) {
            (void)q.reset();
            return b.error();
        }
        if (auto r = q.run(); !r)
            return r.error();
        return store_.db_.last_insert_rowid();
    }

    Result<std::int64_t> count_events(EventKind kind, std::string_view recipient, Time since) override
    {
        Statement& q = s_.count_events;
        if (auto b = bind_all(q, recipient, to_string(kind), since); !b) {
            (void)q.reset();
            return b.error();
        }
        return single_integer(q);
    }

    Result<bool> mark_processed(std::string_view key, Time now) override
    {
        auto n = run_counting(s_.mark_processed, key, now);
        if (!n)
            return error_of(std::move(n));
        return *n > 0;
    }

    Result<std::int64_t> forget_processed(Time before) override
    {
        return run_counting(s_.forget_processed, before);
    }

    Result<std::int64_t> quarantine(const QuarantinedMessage& m) override
    {
        if (m.content.size() > max_quarantine_bytes)
            return make_error(ErrorKind::invalid,
                "message of " + std::to_string(m.content.size()) + " bytes is over the quarantine limit");
        Statement& q = s_.add_quarantine;
        Status b = bind_all(q, m.at, std::string_view(m.message_key), std::string_view(m.reason));
        if (b)
            b = q.bind_blob(4, m.content);
        if (!b) {
            (void)q.reset();
            return b.error();
        }
        if (auto r = q.run(); !r)
            return r.error();
        return store_.db_.last_insert_rowid();
    }

    Status add_counter(
        std::string_view subject, std::string_view name, Time bucket, std::int64_t delta) override
    {
        auto n = run_counting(s_.add_counter, subject, name, bucket, delta);
        return n ? Status() : error_of(std::move(n));
    }

    Status put_sender(const Sender& r) override
    {
        auto n = run_counting(s_.put_sender, std::string_view(r.key), std::int64_t(r.approved ? 1 : 0),
            to_string(r.state), r.state_since, std::string_view(r.state_reason), std::string_view(r.note));
        return n ? Status() : error_of(std::move(n));
    }

    Result<bool> remove_sender(std::string_view key) override
    {
        auto n = run_counting(s_.remove_sender, key);
        if (!n)
            return error_of(std::move(n));
        return *n > 0;
    }

    Status save_limiter_states(const std::vector<LimiterState>& states) override
    {
        for (const LimiterState& st : states) {
            auto n = run_counting(s_.save_limiter, std::string_view(st.key), st.level, st.updated);
            if (!n)
                return error_of(std::move(n));
        }
        return {};
    }

    Result<std::int64_t> forget_limiter_states(Time before) override
    {
        return run_counting(s_.forget_limiters, before);
    }

    Status start()
    {
        if (auto s = s_.begin.run(); !s)
            return s;
        open_ = true;
        store_.in_transaction_ = true;
        return {};
    }

private:
    // Binds ARGS, runs Q and returns the number of rows it changed.
    template <class... Args> Result<std::int64_t> run_counting(Statement& q, const Args&... args)
    {
        if (auto b = bind_all(q, args...); !b) {
            (void)q.reset();
            return b.error();
        }
        if (auto r = q.run(); !r)
            return r.error();
        return store_.db_.changes();
    }

    SqliteStore& store_;
    SqliteStore::Statements& s_;
    bool open_ = false;
};

Result<std::unique_ptr<Transaction>> SqliteStore::begin()
{
    if (in_transaction_)
        return make_error(ErrorKind::internal, "a transaction is already open on this connection");
    auto tx = std::make_unique<SqliteTransaction>(*this);
    if (auto s = tx->start(); !s)
        return s.error();
    return std::unique_ptr<Transaction>(std::move(tx));
}

// ---- Reads

Result<std::optional<Suppression>> SqliteStore::find_suppression(
    std::string_view address, std::string_view sender_domain, Time now)
{
    Statement& q = stmts_->find_suppression;
    // Borrowed: the views outlive the guard below, which resets q.
    if (auto b = bind_all(q, Borrowed { address }, Borrowed { sender_domain }, now); !b) {
        (void)q.reset();
        return b.error();
    }
    StatementReset guard(q);
    auto row = q.step();
    if (!row)
        return error_of(std::move(row));
    if (!row.value())
        return std::optional<Suppression>();
    auto e = read_suppression(q);
    if (!e)
        return error_of(std::move(e));
    return std::optional<Suppression>(std::move(e).value());
}

Result<std::vector<Suppression>> SqliteStore::suppressions_of(std::string_view address, Time now)
{
    Statement& q = stmts_->suppressions_of;
    if (auto b = bind_all(q, address, now); !b) {
        (void)q.reset();
        return b.error();
    }
    StatementReset guard(q);
    std::vector<Suppression> out;
    for (;;) {
        auto row = q.step();
        if (!row)
            return error_of(std::move(row));
        if (!row.value())
            return out;
        auto e = read_suppression(q);
        if (!e)
            return error_of(std::move(e));
        out.push_back(std::move(e).value());
    }
}

namespace {

    Status bind_suppression_filter(Statement& q, const SuppressionFilter& f)
    {
        Status b = f.reason ? q.bind(1, to_string(*f.reason)) : q.bind_null(1);
        if (b)
            b = bind_optional_text(q, 2, f.scope);
        if (b)
            b = q.bind(3, f.since);
        if (b)
            b = f.pattern.empty() ? q.bind_null(4) : q.bind(4, std::string_view(f.pattern));
        if (b) {
            if (f.include_expired)
                b = q.bind_null(5);
            else if (f.now)
                b = q.bind(5, *f.now);
            else
                b = make_error(
                    ErrorKind::internal, "suppression filter without 'now' must include expired rows");
        }
        return b;
    }

} // namespace

Status SqliteStore::each_suppression(
    const SuppressionFilter& filter, const std::function<Status(const Suppression&)>& visit)
{
    Statement& q = stmts_->each_suppression;
    Status b = bind_suppression_filter(q, filter);
    if (b)
        b = q.bind(6, filter.limit < 0 ? std::int64_t(-1) : filter.limit);
    if (b)
        b = q.bind(7, std::max<std::int64_t>(0, filter.offset));
    if (!b) {
        (void)q.reset();
        return b;
    }
    StatementReset guard(q);
    for (;;) {
        auto row = q.step();
        if (!row)
            return error_of(std::move(row));
        if (!row.value())
            return {};
        auto e = read_suppression(q);
        if (!e)
            return error_of(std::move(e));
        if (auto v = visit(*e); !v)
            return v;
    }
}

Result<std::int64_t> SqliteStore::count_suppressions(const SuppressionFilter& filter)
{
    Statement& q = stmts_->count_suppressions;
    if (auto b = bind_suppression_filter(q, filter); !b) {
        (void)q.reset();
        return b.error();
    }
    return single_integer(q);
}

Result<SuppressionStats> SqliteStore::suppression_stats(Time now)
{
    SuppressionStats st;
    {
        Statement& q = stmts_->stats_total;
        if (auto b = q.bind(1, now); !b)
            return b.error();
        StatementReset guard(q);
        auto row = q.step();
        if (!row)
            return error_of(std::move(row));
        if (!row.value())
            return make_error(ErrorKind::internal, "stats query returned no row");
        st.total = q.column_int(0);
        st.active = q.column_int(1);
        st.expired = st.total - st.active;
    }
    {
        Statement& q = stmts_->stats_scoped;
        if (auto b = q.bind(1, now); !b)
            return b.error();
        auto n = single_integer(q);
        if (!n)
            return error_of(std::move(n));
        st.scoped = *n;
    }
    Statement& q = stmts_->stats_by_reason;
    if (auto b = q.bind(1, now); !b)
        return b.error();
    auto rows = collect<std::pair<Reason, std::int64_t>>(
        q, [](Statement& s) -> Result<std::pair<Reason, std::int64_t>> {
            auto reason = parse_reason(s.column_text(0));
            if (!reason)
                return make_error(ErrorKind::corrupt, "suppression reason: " + reason.error().message);
            return std::pair { *reason, s.column_int(1) };
        });
    if (!rows)
        return error_of(std::move(rows));
    st.by_reason = std::move(rows).value();
    return st;
}

Result<std::vector<Event>> SqliteStore::list_events(const EventFilter& f)
{
    Statement& q = stmts_->list_events;
    Status b = f.kind ? q.bind(1, to_string(*f.kind)) : q.bind_null(1);
    if (b)
        b = q.bind(2, std::string_view(f.recipient));
    if (b)
        b = q.bind(3, std::string_view(f.sender));
    if (b)
        b = q.bind(4, f.since);
    if (b)
        b = q.bind(5, f.until);
    if (b)
        b = q.bind(6, f.limit < 0 ? std::int64_t(-1) : f.limit);
    if (b)
        b = q.bind(7, std::max<std::int64_t>(0, f.offset));
    if (!b) {
        (void)q.reset();
        return b.error();
    }
    return collect<Event>(q, [](Statement& s) -> Result<Event> {
        Event e;
        e.id = s.column_int(0);
        e.at = s.column_int(1);
        auto kind = parse_event_kind(s.column_text(2));
        if (!kind)
            return make_error(
                ErrorKind::corrupt, "event " + std::to_string(e.id) + ": " + kind.error().message);
        e.kind = *kind;
        e.recipient = s.column_text(3);
        e.sender = s.column_text(4);
        e.scope = s.column_text(5);
        e.detail = s.column_text(6);
        e.source = s.column_text(7);
        e.message_key = s.column_text(8);
        return e;
    });
}

Result<std::vector<QuarantinedMessage>> SqliteStore::list_quarantine(std::int64_t limit, std::int64_t offset)
{
    Statement& q = stmts_->list_quarantine;
    if (auto b = bind_all(q, limit < 0 ? std::int64_t(-1) : limit, std::max<std::int64_t>(0, offset)); !b) {
        (void)q.reset();
        return b.error();
    }
    return collect<QuarantinedMessage>(q, [](Statement& s) -> Result<QuarantinedMessage> {
        QuarantinedMessage m;
        m.id = s.column_int(0);
        m.at = s.column_int(1);
        m.message_key = s.column_text(2);
        m.reason = s.column_text(3);
        return m;
    });
}

Result<std::optional<QuarantinedMessage>> SqliteStore::get_quarantined(std::int64_t id)
{
    Statement& q = stmts_->get_quarantined;
    if (auto b = q.bind(1, id); !b) {
        (void)q.reset();
        return b.error();
    }
    auto rows = collect<QuarantinedMessage>(q, [](Statement& s) -> Result<QuarantinedMessage> {
        QuarantinedMessage m;
        m.id = s.column_int(0);
        m.at = s.column_int(1);
        m.message_key = s.column_text(2);
        m.reason = s.column_text(3);
        m.content = s.column_text(4);
        return m;
    });
    if (!rows)
        return error_of(std::move(rows));
    if (rows->empty())
        return std::optional<QuarantinedMessage>();
    return std::optional<QuarantinedMessage>(std::move(rows->front()));
}

Result<std::int64_t> SqliteStore::sum_counter(std::string_view subject, std::string_view name, Time since)
{
    Statement& q = stmts_->sum_counter;
    if (auto b = bind_all(q, subject, name, since); !b) {
        (void)q.reset();
        return b.error();
    }
    return single_integer(q);
}

Result<std::vector<Counter>> SqliteStore::list_counters(std::string_view subject, Time since)
{
    Statement& q = stmts_->list_counters;
    if (auto b = bind_all(q, subject, since); !b) {
        (void)q.reset();
        return b.error();
    }
    return collect<Counter>(q, [](Statement& s) -> Result<Counter> {
        return Counter { s.column_text(0), s.column_text(1), s.column_int(2), s.column_int(3) };
    });
}

Result<std::optional<Sender>> SqliteStore::get_sender(std::string_view key)
{
    Statement& q = stmts_->get_sender;
    if (auto b = q.bind(1, key); !b) {
        (void)q.reset();
        return b.error();
    }
    auto rows = collect<Sender>(q, read_sender);
    if (!rows)
        return error_of(std::move(rows));
    if (rows->empty())
        return std::optional<Sender>();
    return std::optional<Sender>(std::move(rows->front()));
}

Result<std::vector<Sender>> SqliteStore::list_senders()
{
    return collect<Sender>(stmts_->list_senders, read_sender);
}

Result<std::vector<LimiterState>> SqliteStore::load_limiter_states()
{
    return collect<LimiterState>(stmts_->load_limiters, [](Statement& s) -> Result<LimiterState> {
        return LimiterState { s.column_text(0), s.column_double(1), s.column_int(2) };
    });
}

} // namespace sendsentry::store
