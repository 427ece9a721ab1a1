// `sendsentry limit ...`: overrides in the store's policy_limit_overrides
// table, state read from the rows sendsentry-policyd writes behind, resets
// through policy_limit_resets (polled by the daemon every second).
#include "limit_actions.hh"

#include "core/json.hh"
#include "policy/limit_override_store.hh"
#include "policy/policy_engine.hh"
#include "policy/policy_replies.hh"
#include "policy/policy_settings.hh"
#include "store/suppression_format.hh"

#include <algorithm>
#include <ostream>

namespace sendsentry::cli::limit {
namespace {

    using policy::TimeUs;
    using policy::us_per_second;

    // Keys as policyd derives them (policy/limit_key.hh): prefixed, lower-cased.
    Result<std::string> normalize_key(std::string_view text)
    {
        std::string key(text);
        for (char& c : key)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        for (const char* prefix : { "sasl:", "sender:", "domain:", "client:" })
            if (key.starts_with(prefix) && key.size() > std::string_view(prefix).size())
                return key;
        return make_error(ErrorKind::invalid,
            "\"" + std::string(text) + "\": expected sasl:USER, sender:ADDRESS, domain:DOMAIN or client:IP");
    }

    Result<policy::LimitOverrideStore> open_overrides(Context& ctx)
    {
        auto cfg = ctx.config();
        if (!cfg)
            return std::move(cfg).error();
        auto st = ctx.store(); // creates the store and its schema when missing
        if (!st)
            return std::move(st).error();
        std::string path = ctx.db_path.empty() ? (*cfg)->string("store", "path") : ctx.db_path;
        return policy::LimitOverrideStore::open(
            path, (*cfg)->duration("store", "busy_timeout").count() * 1000);
    }

    // The persisted windows of KEY (rows policyd wrote behind).
    Result<std::vector<std::pair<store::LimiterState, policy::WindowState>>> rows_of(
        store::Store& s, const std::string& key)
    {
        auto rows = s.load_limiter_states();
        if (!rows)
            return std::move(rows).error();
        std::vector<std::pair<store::LimiterState, policy::WindowState>> out;
        for (const store::LimiterState& row : *rows)
            if (auto parsed = policy::parse_limiter_row(row); parsed && parsed->first == key)
                out.emplace_back(row, parsed->second);
        return out;
    }

    struct WindowView {
        policy::Limit limit;
        std::int64_t used = 0;
        TimeUs next_at = 0; // when one more unit is free (<= now: free now)
        TimeUs full_at = 0; // when the whole quota is back
    };

    WindowView view(const policy::Limit& limit, TimeUs tat, TimeUs now)
    {
        WindowView v;
        v.limit = limit;
        TimeUs t = limit.interval();
        if (tat > now)
            v.used = std::min<std::int64_t>(limit.count, (tat - now + t - 1) / t);
        v.next_at = std::max(now, tat + t - limit.burst());
        v.full_at = std::max(now, tat);
        return v;
    }

} // namespace

int run_set(Context& ctx, const SetOptions& o)
{
    auto key = normalize_key(o.key);
    if (!key)
        return ctx.usage_error("limit set", key.error().message);
    std::vector<policy::Limit> limits;
    for (const std::string& spec : o.specs) {
        auto colon = spec.find(':');
        auto kind = policy::parse_limit_kind(spec.substr(0, colon));
        if (colon == std::string::npos || !kind)
            return ctx.usage_error(
                "limit set", "\"" + spec + "\": expected messages:COUNT/WINDOW or recipients:COUNT/WINDOW");
        auto limit = policy::parse_limit(*kind, spec.substr(colon + 1));
        if (!limit)
            return ctx.usage_error("limit set", limit.error().message);
        limits.push_back(*limit);
    }
    auto overrides = open_overrides(ctx);
    if (!overrides)
        return ctx.store_error("limit set", overrides.error());
    if (auto st = overrides->set(*key, limits, ctx.now()); !st)
        return ctx.store_error("limit set", st.error());
    ctx.out() << "limit set " << *key << ":";
    for (const policy::Limit& l : limits)
        ctx.out() << ' ' << policy::to_string(l.kind) << ':' << policy::format_limit(l);
    ctx.out() << " (sendsentry-policyd applies it within 1 s)\n";
    return exit_ok;
}

int run_unset(Context& ctx, const KeyOptions& o)
{
    auto key = normalize_key(o.key);
    if (!key)
        return ctx.usage_error("limit unset", key.error().message);
    auto overrides = open_overrides(ctx);
    if (!overrides)
        return ctx.store_error("limit unset", overrides.error());
    auto removed = overrides->clear(*key);
    if (!removed)
        return ctx.store_error("limit unset", removed.error());
    ctx.out() << (*removed ? "removed the overrides of " : "no overrides for ") << *key << '\n';
    return *removed ? exit_ok : exit_not_found;
}

int run_reset(Context& ctx, const KeyOptions& o)
{
    auto key = normalize_key(o.key);
    if (!key)
        return ctx.usage_error("limit reset", key.error().message);
    auto overrides = open_overrides(ctx);
    if (!overrides)
        return ctx.store_error("limit reset", overrides.error());
    auto s = ctx.store();
    auto rows = rows_of(**s, *key);
    if (!rows)
        return ctx.store_error("limit reset", rows.error());
    // At rest in the store (for a daemon that is not running) and a request
    // for the running daemon, which would otherwise write its state back.
    std::vector<store::LimiterState> at_rest;
    for (const auto& [row, window] : *rows)
        at_rest.push_back({ row.key, 0.0, ctx.now() });
    Status st = (*s)->write([&](store::Transaction& tx) { return tx.save_limiter_states(at_rest); });
    if (st)
        st = overrides->request_reset(*key, ctx.now());
    if (!st)
        return ctx.store_error("limit reset", st.error());
    ctx.out() << "reset " << *key << " (sendsentry-policyd applies it within 1 s)\n";
    return exit_ok;
}

int run_show(Context& ctx, const KeyOptions& o)
{
    auto key = normalize_key(o.key);
    if (!key)
        return ctx.usage_error("limit show", key.error().message);
    auto cfg = ctx.config();
    if (!cfg)
        return ctx.usage_error("limit show", cfg.error().message);
    auto settings = policy::settings_from(**cfg);
    if (!settings)
        return ctx.usage_error("limit show", settings.error().message);
    auto overrides = open_overrides(ctx);
    if (!overrides)
        return ctx.store_error("limit show", overrides.error());
    auto stored = overrides->load();
    if (!stored)
        return ctx.store_error("limit show", stored.error());
    bool has_override = stored->count(*key) > 0 || settings->overrides.count(*key) > 0;
    auto s = ctx.store();
    // The engine merges config and store overrides exactly as the daemon does.
    policy::PolicyEngine engine(**s, *settings);
    engine.set_store_overrides(std::move(*stored));
    auto rows = rows_of(**s, *key);
    if (!rows)
        return ctx.store_error("limit show", rows.error());
    TimeUs now = ctx.now() * us_per_second;
    std::vector<WindowView> views;
    for (const policy::Limit& l : engine.limiter().limits_for(*key)) {
        TimeUs tat = 0;
        for (const auto& [row, w] : *rows)
            if (w.kind == l.kind && w.window_seconds == l.window_seconds)
                tat = w.tat;
        views.push_back(view(l, tat, now));
    }
    if (o.json) {
        ctx.out() << "{\"key\":" << json_string(*key) << ",\"override\":" << (has_override ? "true" : "false")
                  << ",\"windows\":[";
        const char* sep = "";
        for (const WindowView& v : views) {
            ctx.out() << sep << "{\"kind\":" << json_string(policy::to_string(v.limit.kind))
                      << ",\"count\":" << v.limit.count << ",\"window_seconds\":" << v.limit.window_seconds
                      << ",\"used\":" << v.used << ",\"available\":" << v.limit.count - v.used
                      << ",\"next_at\":" << v.next_at / us_per_second
                      << ",\"full_at\":" << v.full_at / us_per_second << '}';
            sep = ",";
        }
        ctx.out() << "]}\n";
        return exit_ok;
    }
    ctx.out() << *key << (has_override ? " (own limits)" : " (configured limits)") << '\n';
    if (views.empty())
        ctx.out() << "  no limits apply\n";
    for (const WindowView& v : views) {
        ctx.out() << "  " << policy::to_string(v.limit.kind) << ' ' << policy::format_limit(v.limit)
                  << ": used " << v.used << ", available " << v.limit.count - v.used;
        if (v.used == v.limit.count)
            ctx.out() << ", one more at " << policy::format_utc(v.next_at / us_per_second) << " (in "
                      << policy::format_wait(v.next_at - now) << ")";
        if (v.used > 0)
            ctx.out() << ", all back at " << policy::format_utc(v.full_at / us_per_second);
        ctx.out() << '\n';
    }
    ctx.out() << "  (state as sendsentry-policyd last wrote it: at most [policyd] persist_interval old)\n";
    return exit_ok;
}

} // namespace sendsentry::cli::limit
