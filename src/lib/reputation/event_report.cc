// Reading and tallying report rows, and printing them as text, JSON or CSV.
#include "reputation/event_report.hh"

#include "core/json.hh"
#include "store/suppression_format.hh"

#include <algorithm>
#include <cstdio>
#include <map>

namespace sendsentry::reputation {
namespace {

    // Events are read in pages of this many: one query per page keeps memory
    // per statement small and lets max_report_rows stop the walk.
    constexpr std::int64_t page_size = 5000;

    // Keys are cut at this length in tables (diagnostic text can be long).
    constexpr std::size_t max_key = 120;

    std::string lower(std::string_view text)
    {
        std::string out(text);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c + 32);
        return out;
    }

    class Tally {
    public:
        Tally(std::string name, std::string key_label)
            : name_(std::move(name))
            , label_(std::move(key_label))
        {
        }
        void add(std::string key, std::int64_t n = 1)
        {
            counts_[key.empty() ? "(none)" : key.substr(0, max_key)] += n;
        }

        ReportTable table(std::size_t top) const
        {
            ReportTable t { name_, label_, {}, 0 };
            for (const auto& [k, n] : counts_)
                t.rows.push_back({ k, n });
            std::stable_sort(t.rows.begin(), t.rows.end(),
                [](const ReportRow& a, const ReportRow& b) { return a.count > b.count; });
            if (t.rows.size() > top) {
                for (std::size_t i = top; i < t.rows.size(); ++i)
                    t.other += t.rows[i].count;
                t.rows.resize(top);
            }
            return t;
        }

    private:
        std::string name_, label_;
        std::map<std::string, std::int64_t> counts_; // ordered: ties sort by key
    };

    // The sender domain of an event's sender (domain or address).
    std::string sender_domain_key(std::string_view sender)
    {
        auto at = sender.rfind('@');
        return lower(at == std::string_view::npos ? sender : sender.substr(at + 1));
    }

    std::string csv_field(std::string_view v)
    {
        if (v.find_first_of(",\"\n\r") == std::string_view::npos)
            return std::string(v);
        std::string out = "\"";
        for (char c : v)
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + '"';
    }

} // namespace

std::string_view to_string(ReportKind kind) noexcept
{
    switch (kind) {
    case ReportKind::bounces:
        return "bounces";
    case ReportKind::complaints:
        return "complaints";
    case ReportKind::blocked_sends:
        return "blocked";
    case ReportKind::suppressions:
        return "suppressions";
    }
    return "bounces";
}

Result<ReportKind> parse_report_kind(std::string_view text)
{
    for (ReportKind k :
        { ReportKind::bounces, ReportKind::complaints, ReportKind::blocked_sends, ReportKind::suppressions })
        if (text == to_string(k))
            return k;
    return make_error(ErrorKind::invalid,
        "\"" + std::string(text) + "\": expected bounces, complaints, blocked or suppressions");
}

bool sender_matches(std::string_view event_sender, std::string_view filter) noexcept
{
    if (filter.empty())
        return true;
    auto same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
            auto l = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
            return l(x) == l(y);
        });
    };
    if (same(event_sender, filter))
        return true;
    if (filter.find('@') != std::string_view::npos)
        return false;
    auto at = event_sender.rfind('@');
    return at != std::string_view::npos && same(event_sender.substr(at + 1), filter);
}

std::string reason_key(std::string_view detail)
{
    auto colon = detail.find(": ");
    return std::string(detail.substr(0, colon));
}

std::string domain_key(std::string_view address)
{
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at + 1 == address.size())
        return "(none)";
    return lower(address.substr(at + 1));
}

std::string blocked_reason(std::string_view detail)
{
    // policyd writes "why: action" (policy_engine.cc refuse()).
    return std::string(detail.substr(0, detail.find(':')));
}

Report tally_events(const ReportQuery& query, const std::vector<store::Event>& events)
{
    Report r;
    r.query = query;
    for (const store::Event& e : events)
        r.total += e.count;
    std::vector<Tally> tallies;
    switch (query.kind) {
    case ReportKind::bounces:
        tallies = { { "by_reason", "status and reason" }, { "hard_by_sender_domain", "sender domain (hard)" },
            { "soft_by_sender_domain", "sender domain (soft)" },
            { "by_recipient_domain", "recipient domain" } };
        for (const store::Event& e : events) {
            tallies[0].add(reason_key(e.detail), e.count);
            tallies[e.kind == store::EventKind::hard_bounce ? 1 : 2].add(
                sender_domain_key(e.sender), e.count);
            tallies[3].add(domain_key(e.recipient), e.count);
        }
        break;
    case ReportKind::complaints:
        tallies = { { "by_feedback_type", "feedback" }, { "by_sender_domain", "sender domain" },
            { "by_recipient_domain", "recipient domain" } };
        for (const store::Event& e : events) {
            tallies[0].add(reason_key(e.detail), e.count);
            tallies[1].add(sender_domain_key(e.sender), e.count);
            tallies[2].add(domain_key(e.recipient), e.count);
        }
        break;
    case ReportKind::blocked_sends:
        tallies = { { "by_reason", "reason" }, { "by_sender_domain", "sender domain" },
            { "by_recipient_domain", "recipient domain" } };
        for (const store::Event& e : events) {
            tallies[0].add(blocked_reason(e.detail), e.count);
            tallies[1].add(sender_domain_key(e.sender), e.count);
            // Refused RCPTs only: a refusal of a whole message, or one event
            // for the refusals of a sender, names no recipient.
            if (!e.recipient.empty())
                tallies[2].add(domain_key(e.recipient), e.count);
        }
        break;
    case ReportKind::suppressions:
        break;
    }
    for (const Tally& t : tallies)
        r.tables.push_back(t.table(query.top));
    return r;
}

Report tally_suppressions(const ReportQuery& query, const std::vector<store::Suppression>& rows)
{
    Report r;
    r.query = query;
    r.total = static_cast<std::int64_t>(rows.size());
    Tally reason("by_reason", "reason"), scope("by_scope", "scope"), source("by_source", "source"),
        domain("by_recipient_domain", "recipient domain");
    for (const store::Suppression& s : rows) {
        reason.add(std::string(store::to_string(s.reason)));
        scope.add(s.scope.empty() ? "global" : s.scope);
        source.add(s.source);
        domain.add(domain_key(s.address));
    }
    for (const Tally* t : { &reason, &scope, &source, &domain })
        r.tables.push_back(t->table(query.top));
    return r;
}

Result<std::vector<store::Event>> events_between(store::Store& store, store::EventKind kind,
    store::Time since, store::Time until, std::string_view sender, bool& truncated)
{
    std::vector<store::Event> out;
    store::EventFilter f;
    f.kind = kind;
    f.since = since;
    f.until = until;
    f.limit = page_size;
    // Newest first, page by page, below a fixed UNTIL: only events stamped
    // before it are paged, so events written while later seconds pass
    // cannot shift the offsets.
    for (std::int64_t read = 0; read < max_report_rows; read += page_size) {
        auto page = store.list_events(f);
        if (!page)
            return std::move(page).error();
        for (store::Event& e : *page)
            if (sender_matches(e.sender, sender))
                out.push_back(std::move(e));
        if (static_cast<std::int64_t>(page->size()) < page_size)
            return out;
        f.offset += page_size;
    }
    truncated = true;
    return out;
}

Result<Report> build_report(store::Store& store, const ReportQuery& query)
{
    bool truncated = false;
    Report r;
    if (query.kind == ReportKind::suppressions) {
        std::vector<store::Suppression> rows;
        store::SuppressionFilter f;
        f.since = query.since;
        f.now = query.now;
        if (!query.sender.empty())
            f.scope = lower(query.sender);
        f.limit = max_report_rows + 1;
        auto s = store.each_suppression(f, [&](const store::Suppression& e) -> Status {
            rows.push_back(e);
            return {};
        });
        if (!s)
            return std::move(s).error();
        if (static_cast<std::int64_t>(rows.size()) > max_report_rows) {
            rows.pop_back();
            truncated = true;
        }
        r = tally_suppressions(query, rows);
    } else {
        std::vector<store::EventKind> kinds;
        if (query.kind == ReportKind::bounces)
            kinds = { store::EventKind::hard_bounce, store::EventKind::soft_bounce };
        else if (query.kind == ReportKind::complaints)
            kinds = { store::EventKind::complaint };
        else
            kinds = { store::EventKind::blocked_send };
        std::vector<store::Event> events;
        for (store::EventKind k : kinds) {
            auto some = events_between(store, k, query.since, query.now + 1, query.sender, truncated);
            if (!some)
                return std::move(some).error();
            events.insert(
                events.end(), std::make_move_iterator(some->begin()), std::make_move_iterator(some->end()));
        }
        r = tally_events(query, events);
    }
    r.truncated = truncated;
    return r;
}

std::string to_text(const Report& r)
{
    std::string out
        = std::string(to_string(r.query.kind)) + " since " + store::format::iso_time(r.query.since);
    if (!r.query.sender.empty())
        out += " for " + r.query.sender;
    out += ": " + std::to_string(r.total) + (r.truncated ? " (truncated)" : "") + "\n";
    for (const ReportTable& t : r.tables) {
        out += "\n" + t.key_label + "\n";
        if (t.rows.empty())
            out += "  (none)\n";
        for (const ReportRow& row : t.rows) {
            char count[24];
            std::snprintf(count, sizeof count, "%9lld  ", static_cast<long long>(row.count));
            out += count + row.key + "\n";
        }
        if (t.other > 0) {
            char count[24];
            std::snprintf(count, sizeof count, "%9lld  ", static_cast<long long>(t.other));
            out += count + std::string("(other)\n");
        }
    }
    return out;
}

std::string to_json(const Report& r)
{
    std::string out = "{\"report\":" + json_string(to_string(r.query.kind));
    out += ",\"since\":" + json_string(store::format::iso_time(r.query.since));
    out += ",\"sender\":" + (r.query.sender.empty() ? std::string("null") : json_string(r.query.sender));
    out += ",\"total\":" + std::to_string(r.total);
    out += ",\"truncated\":" + std::string(r.truncated ? "true" : "false");
    out += ",\"tables\":{";
    for (std::size_t i = 0; i < r.tables.size(); ++i) {
        const ReportTable& t = r.tables[i];
        out += (i ? "," : "") + json_string(t.name) + ":[";
        for (std::size_t j = 0; j < t.rows.size(); ++j)
            out += (j ? "," : "") + std::string("{\"key\":") + json_string(t.rows[j].key)
                + ",\"count\":" + std::to_string(t.rows[j].count) + "}";
        if (t.other > 0)
            out += std::string(t.rows.empty() ? "" : ",")
                + "{\"key\":\"(other)\",\"count\":" + std::to_string(t.other) + "}";
        out += "]";
    }
    return out + "}}\n";
}

std::string to_csv(const Report& r)
{
    std::string out = "table,key,count\n";
    for (const ReportTable& t : r.tables) {
        for (const ReportRow& row : t.rows)
            out += t.name + "," + csv_field(row.key) + "," + std::to_string(row.count) + "\n";
        if (t.other > 0)
            out += t.name + ",(other)," + std::to_string(t.other) + "\n";
    }
    return out;
}

} // namespace sendsentry::reputation
