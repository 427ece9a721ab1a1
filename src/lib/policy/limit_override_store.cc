// Limit overrides and reset requests in SQLite; see limit_override_store.hh.
#include "policy/limit_override_store.hh"

#include <algorithm>

namespace sendsentry::policy {

Result<LimitOverrideStore> LimitOverrideStore::open(const std::string& path, std::int64_t busy_timeout_ms)
{
    auto db = store::Database::open(path, true, false);
    if (!db)
        return db.error();
    if (auto st = db->set_busy_timeout(busy_timeout_ms); !st)
        return st.error();
    auto st = db->exec("CREATE TABLE IF NOT EXISTS policy_limit_overrides ("
                       " key TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL,"
                       " window INTEGER NOT NULL, updated INTEGER NOT NULL,"
                       " PRIMARY KEY (key, kind, window));"
                       "CREATE TABLE IF NOT EXISTS policy_limit_resets ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, at INTEGER NOT NULL);");
    if (!st)
        return st.error();
    LimitOverrideStore out;
    out.db_ = std::move(*db);
    struct Sql {
        store::Statement LimitOverrideStore::*member;
        const char* text;
    };
    const Sql statements[] = {
        { &LimitOverrideStore::load_,
            "SELECT key, kind, count, window FROM policy_limit_overrides ORDER BY key, kind, window LIMIT "
            "?1" },
        { &LimitOverrideStore::delete_kind_,
            "DELETE FROM policy_limit_overrides WHERE key = ?1 AND kind = ?2" },
        { &LimitOverrideStore::insert_,
            "INSERT OR REPLACE INTO policy_limit_overrides (key, kind, count, window, updated)"
            " VALUES (?1, ?2, ?3, ?4, ?5)" },
        { &LimitOverrideStore::clear_, "DELETE FROM policy_limit_overrides WHERE key = ?1" },
        { &LimitOverrideStore::insert_reset_, "INSERT INTO policy_limit_resets (key, at) VALUES (?1, ?2)" },
        { &LimitOverrideStore::resets_after_,
            "SELECT id, key FROM policy_limit_resets WHERE id > ?1 ORDER BY id LIMIT ?2" },
        { &LimitOverrideStore::forget_resets_, "DELETE FROM policy_limit_resets WHERE at < ?1" },
    };
    for (const Sql& sql : statements) {
        auto stmt = out.db_.prepare(sql.text);
        if (!stmt)
            return stmt.error();
        out.*sql.member = std::move(*stmt);
    }
    return out;
}

Result<std::unordered_map<std::string, std::vector<Limit>>> LimitOverrideStore::load()
{
    store::StatementReset reset(load_);
    if (auto st = load_.bind(1, max_override_rows); !st)
        return st.error();
    std::unordered_map<std::string, std::vector<Limit>> out;
    for (;;) {
        auto row = load_.step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        auto kind = parse_limit_kind(load_.column_text(1));
        std::int64_t count = load_.column_int(2);
        std::int64_t window = load_.column_int(3);
        // Rows written by hand with nonsense are skipped, not trusted.
        if (!kind || count < 1 || count > max_limit_count || window < 1 || window > max_limit_window_seconds)
            continue;
        out[load_.column_text(0)].push_back(Limit { *kind, count, window });
    }
    return out;
}

Status LimitOverrideStore::set(std::string_view key, const std::vector<Limit>& limits, std::int64_t now)
{
    if (auto st = db_.exec("BEGIN IMMEDIATE"); !st)
        return st;
    auto work = [&]() -> Status {
        for (LimitKind kind : { LimitKind::messages, LimitKind::recipients }) {
            if (std::none_of(limits.begin(), limits.end(), [&](const Limit& l) { return l.kind == kind; }))
                continue;
            Status st = delete_kind_.bind(1, key);
            if (st)
                st = delete_kind_.bind(2, std::string_view(to_string(kind)));
            if (st)
                st = delete_kind_.run();
            if (!st)
                return st;
        }
        for (const Limit& l : limits) {
            Status st = insert_.bind(1, key);
            if (st)
                st = insert_.bind(2, std::string_view(to_string(l.kind)));
            if (st)
                st = insert_.bind(3, l.count);
            if (st)
                st = insert_.bind(4, l.window_seconds);
            if (st)
                st = insert_.bind(5, now);
            if (st)
                st = insert_.run();
            if (!st)
                return st;
        }
        return {};
    };
    Status st = work();
    if (!st) {
        (void)delete_kind_.reset();
        (void)insert_.reset();
        (void)db_.exec("ROLLBACK");
        return st;
    }
    return db_.exec("COMMIT");
}

Result<bool> LimitOverrideStore::clear(std::string_view key)
{
    Status st = clear_.bind(1, key);
    if (st)
        st = clear_.run();
    if (!st) {
        (void)clear_.reset();
        return st.error();
    }
    return db_.changes() > 0;
}

Status LimitOverrideStore::request_reset(std::string_view key, std::int64_t now)
{
    Status st = insert_reset_.bind(1, key);
    if (st)
        st = insert_reset_.bind(2, now);
    if (st)
        st = insert_reset_.run();
    if (!st)
        (void)insert_reset_.reset();
    return st;
}

Result<std::vector<std::pair<std::int64_t, std::string>>> LimitOverrideStore::resets_after(std::int64_t after)
{
    store::StatementReset reset(resets_after_);
    Status st = resets_after_.bind(1, after);
    if (st)
        st = resets_after_.bind(2, max_override_rows);
    if (!st)
        return st.error();
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (;;) {
        auto row = resets_after_.step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        out.emplace_back(resets_after_.column_int(0), resets_after_.column_text(1));
    }
    return out;
}

Status LimitOverrideStore::forget_resets(std::int64_t before)
{
    Status st = forget_resets_.bind(1, before);
    if (st)
        st = forget_resets_.run();
    if (!st)
        (void)forget_resets_.reset();
    return st;
}

} // namespace sendsentry::policy
