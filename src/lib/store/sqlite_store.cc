// SQLite store: connection set-up (WAL, busy timeout, migrations), reads,
// and the write transaction; the SQL itself is in sqlite_statements.cc.
#include "store/sqlite_store.hh"

#include "store/sqlite_schema.hh"
#include "store/sqlite_statements.hh"

#include <chrono>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <utility>

namespace sendsentry::store {

namespace {

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
    auto stmts = prepare_statements(*db);
    if (!stmts)
        return error_of(std::move(stmts));
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db).value(), std::move(stmts).value()));
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
            std::string_view(e.source), std::string_view(e.message_key), e.count);
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
        e.count = s.column_int(9);
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
