// Gathering sender overviews from the store.
#include "reputation/overview.hh"

#include "core/json.hh"
#include "store/suppression_format.hh"

#include <algorithm>
#include <set>

namespace sendsentry::reputation {

std::int64_t rate_ppm(std::int64_t count, std::int64_t total) noexcept
{
    return total > 0 ? count * 1000000 / total : 0;
}

Result<SenderOverview> overview_of(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds)
{
    auto row = store.get_sender(subject);
    if (!row)
        return std::move(row).error();
    auto windows = window_counts(store, subject, now, thresholds);
    if (!windows)
        return std::move(windows).error();
    SenderOverview o;
    if (*row)
        o.sender = **row;
    else
        o.sender.key = std::string(subject);
    o.windows = std::move(*windows);
    return o;
}

Result<std::vector<SenderOverview>> overview(store::Store& store, store::Time now, const Thresholds& thresholds)
{
    std::set<std::string> subjects;
    auto senders = store.list_senders();
    if (!senders)
        return std::move(senders).error();
    for (const store::Sender& s : *senders)
        subjects.insert(s.key);
    std::chrono::seconds longest { 0 };
    for (auto w : thresholds.windows)
        longest = std::max(longest, w);
    auto counters = store.list_counters("", now - longest.count());
    if (!counters)
        return std::move(counters).error();
    for (const store::Counter& c : *counters)
        subjects.insert(c.subject);

    std::vector<SenderOverview> out;
    for (const std::string& subject : subjects) {
        auto o = overview_of(store, subject, now, thresholds);
        if (!o)
            return std::move(o).error();
        out.push_back(std::move(*o));
    }
    return out;
}

std::string to_json(const SenderOverview& o)
{
    std::string out = "{\"sender\":" + json_string(o.sender.key);
    out += ",\"state\":" + json_string(store::to_string(o.sender.state));
    out += ",\"state_since\":"
        + (o.sender.state_since ? json_string(store::format::iso_time(o.sender.state_since)) : std::string("null"));
    out += ",\"state_reason\":" + json_string(o.sender.state_reason);
    out += ",\"approved\":" + std::string(o.sender.approved ? "true" : "false");
    out += ",\"windows\":[";
    for (std::size_t i = 0; i < o.windows.size(); ++i) {
        const Counts& c = o.windows[i].counts;
        out += (i ? "," : "") + std::string("{\"window\":") + json_string(window_name(o.windows[i].window));
        out += ",\"sent\":" + std::to_string(c.sent);
        out += ",\"hard_bounces\":" + std::to_string(c.hard_bounces);
        out += ",\"soft_bounces\":" + std::to_string(c.soft_bounces);
        out += ",\"complaints\":" + std::to_string(c.complaints);
        out += ",\"unsubscribes\":" + std::to_string(c.unsubscribes);
        out += ",\"blocked\":" + std::to_string(c.blocked);
        out += ",\"hard_bounce_rate\":" + std::to_string(static_cast<double>(rate_ppm(c.hard_bounces, c.sent)) / 1e6);
        out += ",\"complaint_rate\":" + std::to_string(static_cast<double>(rate_ppm(c.complaints, c.sent)) / 1e6);
        out += '}';
    }
    out += "]}";
    return out;
}

} // namespace sendsentry::reputation
