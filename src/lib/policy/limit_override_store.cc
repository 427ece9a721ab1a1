// Limit overrides and reset requests in SQLite; see limit_override_store.hh.
#include "policy/limit_override_store.hh"

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
    return LimitOverrideStore(std::move(*db));
}

Result<std::unordered_map<std::string, std::vector<Limit>>> LimitOverrideStore::load()
{
    auto stmt
        = db_.prepare("SELECT key, kind, count, window FROM policy_limit_overrides ORDER BY key, kind, window"
                      " LIMIT ?1");
    if (!stmt)
        return stmt.error();
    if (auto st = stmt->bind(1, max_override_rows); !st)
        return st.error();
    std::unordered_map<std::string, std::vector<Limit>> out;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        auto kind = parse_limit_kind(stmt->column_text(1));
        std::int64_t count = stmt->column_int(2);
        std::int64_t window = stmt->column_int(3);
        // Rows written by hand with nonsense are skipped, not trusted.
        if (!kind || count < 1 || count > max_limit_count || window < 1 || window > max_limit_window_seconds)
            continue;
        out[stmt->column_text(0)].push_back(Limit { *kind, count, window });
    }
    return out;
}

Status LimitOverrideStore::set(std::string_view key, const std::vector<Limit>& limits, std::int64_t now)
{
    if (auto st = db_.exec("BEGIN IMMEDIATE"); !st)
        return st;
    auto work = [&]() -> Status {
        auto del = db_.prepare("DELETE FROM policy_limit_overrides WHERE key = ?1 AND kind = ?2");
        auto ins = db_.prepare("INSERT OR REPLACE INTO policy_limit_overrides (key, kind, count, window, "
                               "updated) VALUES (?1, ?2, ?3, ?4, ?5)");
        if (!del)
            return del.error();
        if (!ins)
            return ins.error();
        for (LimitKind kind : { LimitKind::messages, LimitKind::recipients }) {
            bool present = false;
            for (const Limit& l : limits)
                present = present || l.kind == kind;
            if (!present)
                continue;
            Status st = del->bind(1, key);
            if (st)
                st = del->bind(2, std::string_view(to_string(kind)));
            if (st)
                st = del->run();
            if (!st)
                return st;
        }
        for (const Limit& l : limits) {
            Status st = ins->bind(1, key);
            if (st)
                st = ins->bind(2, std::string_view(to_string(l.kind)));
            if (st)
                st = ins->bind(3, l.count);
            if (st)
                st = ins->bind(4, l.window_seconds);
            if (st)
                st = ins->bind(5, now);
            if (st)
                st = ins->run();
            if (!st)
                return st;
        }
        return {};
    };
    Status st = work();
    if (!st) {
        (void)db_.exec("ROLLBACK");
        return st;
    }
    return db_.exec("COMMIT");
}

Result<bool> LimitOverrideStore::clear(std::string_view key)
{
    auto del = db_.prepare("DELETE FROM policy_limit_overrides WHERE key = ?1");
    if (!del)
        return del.error();
    if (auto st = del->bind(1, key); !st)
        return st.error();
    if (auto st = del->run(); !st)
        return st.error();
    return db_.changes() > 0;
}

Status LimitOverrideStore::request_reset(std::string_view key, std::int64_t now)
{
    auto ins = db_.prepare("INSERT INTO policy_limit_resets (key, at) VALUES (?1, ?2)");
    if (!ins)
        return ins.error();
    Status st = ins->bind(1, key);
    if (st)
        st = ins->bind(2, now);
    if (st)
        st = ins->run();
    return st;
}

Result<std::vector<std::pair<std::int64_t, std::string>>> LimitOverrideStore::resets_after(std::int64_t after)
{
    auto stmt = db_.prepare("SELECT id, key FROM policy_limit_resets WHERE id > ?1 ORDER BY id LIMIT ?2");
    if (!stmt)
        return stmt.error();
    Status st = stmt->bind(1, after);
    if (st)
        st = stmt->bind(2, max_override_rows);
    if (!st)
        return st.error();
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        out.emplace_back(stmt->column_int(0), stmt->column_text(1));
    }
    return out;
}

Status LimitOverrideStore::forget_resets(std::int64_t before)
{
    auto del = db_.prepare("DELETE FROM policy_limit_resets WHERE at < ?1");
    if (!del)
        return del.error();
    Status st = del->bind(1, before);
    if (st)
        st = del->run();
    return st;
}

} // namespace sendsentry::policy
