// `sendsentry suppress add|remove|check|stats`: single-entry edits and the
// summary, plus the --expires/--since parsing the other actions share.
#include "suppress_actions.hh"

#include "core/config.hh"
#include "core/json.hh"
#include "store/suppression_format.hh"
#include "store/suppression_rules.hh"

#include <cctype>
#include <ostream>

namespace sendsentry::cli::suppress {

using store::Time;

namespace {

    // "30d", "12h", "90m", "45s", "2w": a duration needs its unit, so that a
    // bare number stays Unix seconds.
    std::optional<std::int64_t> duration_of(std::string_view text)
    {
        if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.back())))
            return std::nullopt;
        auto d = config::parse_duration(text);
        if (!d)
            return std::nullopt;
        return *d;
    }

    std::string scope_text(const std::string& scope) { return scope.empty() ? "global" : scope; }

} // namespace

Result<std::optional<Time>> parse_expires(std::string_view text, Time now)
{
    if (text.empty() || text == "never")
        return std::optional<Time>();
    if (auto d = duration_of(text))
        return std::optional<Time>(now + *d);
    auto t = store::format::parse_time(text);
    if (!t)
        return make_error(
            ErrorKind::invalid, "--expires: " + t.error().message + ", a duration such as 30d, or never");
    return std::optional<Time>(*t);
}

Result<Time> parse_since(std::string_view text, Time now)
{
    if (auto d = duration_of(text))
        return now - *d;
    auto t = store::format::parse_time(text);
    if (!t)
        return make_error(ErrorKind::invalid, "--since: " + t.error().message + ", or a duration such as 7d");
    return *t;
}

int run_add(Context& ctx, const EntryOptions& o)
{
    const Time now = ctx.now();
    auto reason = store::parse_reason(o.reason);
    if (!reason)
        return ctx.usage_error("--reason", reason.error().message);
    auto expires = parse_expires(o.expires, now);
    if (!expires)
        return ctx.usage_error("add", expires.error().message);
    std::vector<store::Sighting> sightings;
    for (const std::string& address : o.addresses) {
        auto key = store::make_key(address, o.scope);
        if (!key)
            return ctx.usage_error(address, key.error().message);
        store::Sighting s;
        s.key = std::move(key).value();
        s.reason = *reason;
        s.source = "cli";
        s.note = o.note;
        s.expires = *expires;
        s.authoritative = true; // the operator says exactly what the entry is
        sightings.push_back(std::move(s));
    }
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    std::vector<store::Suppression> written;
    Status w = (*st)->write([&](store::Transaction& tx) -> Status {
        for (const store::Sighting& s : sightings) {
            auto e = store::suppress(tx, s, now);
            if (!e)
                return std::move(e).error();
            written.push_back(std::move(e).value());
        }
        return {};
    });
    if (!w)
        return ctx.store_error("add", w.error());
    for (const store::Suppression& e : written)
        ctx.out() << (e.hits == 1 ? "added " : "updated ") << e.address << " scope=" << scope_text(e.scope)
                  << " reason=" << to_string(e.reason)
                  << (e.expires ? " expires=" + store::format::iso_time(*e.expires) : std::string()) << '\n';
    return exit_ok;
}

int run_remove(Context& ctx, const EntryOptions& o)
{
    const Time now = ctx.now();
    std::vector<store::SuppressionKey> keys;
    for (const std::string& address : o.addresses) {
        auto key = store::make_key(address, o.scope);
        if (!key)
            return ctx.usage_error(address, key.error().message);
        keys.push_back(std::move(key).value());
    }
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    std::vector<bool> removed;
    Status w = (*st)->write([&](store::Transaction& tx) -> Status {
        for (const store::SuppressionKey& k : keys) {
            auto r = store::unsuppress(tx, k, "cli", o.note.empty() ? "removed by operator" : o.note, now);
            if (!r)
                return std::move(r).error();
            removed.push_back(*r);
        }
        return {};
    });
    if (!w)
        return ctx.store_error("remove", w.error());
    bool all = true;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (removed[i])
            ctx.out() << "removed " << keys[i].address << " scope=" << scope_text(keys[i].scope) << '\n';
        else
            ctx.err() << "sendsentry: " << keys[i].address << " scope=" << scope_text(keys[i].scope)
                      << ": not on the list\n";
        all = all && removed[i];
    }
    return all ? exit_ok : exit_not_found;
}

namespace {

    void print_entry(std::ostream& out, const std::string& lead, const store::Suppression& e)
    {
        out << lead << " scope=" << scope_text(e.scope) << " reason=" << to_string(e.reason)
            << " since=" << store::format::iso_time(e.first_seen) << " hits=" << e.hits
            << (e.expires ? " expires=" + store::format::iso_time(*e.expires) : std::string())
            << (e.detail.empty() ? std::string() : " detail=\"" + e.detail + "\"") << '\n';
    }

} // namespace

int run_check(Context& ctx, const CheckOptions& o)
{
    auto key = store::make_key(o.address, o.sender);
    if (!key)
        return ctx.usage_error(o.address, key.error().message);
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    auto found = (*st)->find_suppression(key->address, key->scope, ctx.now());
    // Could not tell is neither "suppressed" nor "not suppressed".
    if (!found)
        return ctx.store_error("check", found.error());
    // Without a sender, the entries other senders' mail would meet are
    // shown too: "not suppressed" alone would hide an unsubscribe from one brand.
    std::vector<store::Suppression> scoped;
    if (key->scope.empty()) {
        auto all = (*st)->suppressions_of(key->address, ctx.now());
        if (!all)
            return ctx.store_error("check", all.error());
        for (store::Suppression& e : *all)
            if (!e.scope.empty())
                scoped.push_back(std::move(e));
    }
    if (o.json) {
        ctx.out() << "{\"address\":" << json_string(key->address)
                  << ",\"sender_domain\":" << json_string(key->scope)
                  << ",\"suppressed\":" << (*found ? "true" : "false")
                  << ",\"entry\":" << (*found ? store::format::to_json(**found) : std::string("null"))
                  << ",\"scoped_entries\":[";
        for (std::size_t i = 0; i < scoped.size(); ++i)
            ctx.out() << (i ? "," : "") << store::format::to_json(scoped[i]);
        ctx.out() << "]}\n";
        return *found ? exit_ok : exit_not_found;
    }
    if (*found)
        print_entry(ctx.out(), key->address + ": suppressed", **found);
    else
        ctx.out() << key->address << (scoped.empty() ? ": not suppressed\n" : ": not suppressed globally\n");
    for (const store::Suppression& e : scoped)
        print_entry(ctx.out(), "  for mail from " + e.scope + ":", e);
    return *found ? exit_ok : exit_not_found;
}

int run_stats(Context& ctx, const StatsOptions& o)
{
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    auto stats = (*st)->suppression_stats(ctx.now());
    if (!stats)
        return ctx.store_error("stats", stats.error());
    if (o.json) {
        ctx.out() << "{\"total\":" << stats->total << ",\"active\":" << stats->active
                  << ",\"expired\":" << stats->expired << ",\"scoped\":" << stats->scoped
                  << ",\"by_reason\":{";
        const char* sep = "";
        for (const auto& [reason, n] : stats->by_reason) {
            ctx.out() << sep << json_string(to_string(reason)) << ':' << n;
            sep = ",";
        }
        ctx.out() << "}}\n";
        return exit_ok;
    }
    ctx.out() << "active   " << stats->active << "\n"
              << "expired  " << stats->expired << "\n"
              << "scoped   " << stats->scoped << "\n";
    for (const auto& [reason, n] : stats->by_reason)
        ctx.out() << "  " << to_string(reason) << ' ' << n << '\n';
    return exit_ok;
}

} // namespace sendsentry::cli::suppress
