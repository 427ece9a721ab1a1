// Reading counters, judging them and recording state changes.
#include "reputation/guard.hh"

#include "core/log.hh"
#include "reputation/counters.hh"

#include <algorithm>

namespace sendsentry::reputation {
namespace {

    // Latest resume of SUBJECT within the longest window, or 0.
    Result<store::Time> last_resume(store::Store& store, std::string_view subject, store::Time since)
    {
        auto counters = store.list_counters(subject, since);
        if (!counters)
            return std::move(counters).error();
        store::Time latest = 0;
        for (const store::Counter& c : *counters)
            if (c.name == resumed)
                latest = std::max(latest, c.bucket);
        return latest;
    }

    store::Sender current_sender(const std::optional<store::Sender>& row, std::string_view subject)
    {
        if (row)
            return *row;
        store::Sender s;
        s.key = std::string(subject);
        return s;
    }

    Status record_state(store::Transaction& tx, store::Sender sender, State next, const std::string& reason,
        store::Time now, std::string_view source)
    {
        store::Event e;
        e.at = now;
        e.kind = store::EventKind::state_change;
        e.sender = sender.key;
        e.source = std::string(source);
        e.detail = std::string(store::to_string(sender.state)) + "->" + std::string(store::to_string(next))
            + (reason.empty() ? "" : ": " + reason);
        sender.state = next;
        sender.state_since = now;
        sender.state_reason = reason;
        if (auto s = tx.put_sender(sender); !s)
            return s;
        if (auto id = tx.add_event(e); !id)
            return std::move(id).error();
        return {};
    }

} // namespace

Result<std::vector<WindowCounts>> window_counts(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds)
{
    std::chrono::seconds longest { 0 };
    for (auto w : thresholds.windows)
        longest = std::max(longest, w);
    auto resumed_at = last_resume(store, subject, now - longest.count());
    if (!resumed_at)
        return std::move(resumed_at).error();

    std::vector<WindowCounts> out;
    for (auto w : thresholds.windows) {
        store::Time since = std::max(now - w.count(), *resumed_at);
        WindowCounts wc { w, {} };
        struct Field {
            std::string_view name;
            std::int64_t* slot;
        };
        const Field fields[] = { { sent, &wc.counts.sent }, { hard_bounce, &wc.counts.hard_bounces },
            { soft_bounce, &wc.counts.soft_bounces }, { complaint, &wc.counts.complaints },
            { unsubscribe, &wc.counts.unsubscribes }, { blocked, &wc.counts.blocked } };
        for (const Field& f : fields) {
            auto n = store.sum_counter(subject, f.name, since);
            if (!n)
                return std::move(n).error();
            *f.slot = *n;
        }
        out.push_back(wc);
    }
    return out;
}

Result<Evaluation> evaluate(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds)
{
    auto windows = window_counts(store, subject, now, thresholds);
    if (!windows)
        return std::move(windows).error();
    auto row = store.get_sender(subject);
    if (!row)
        return std::move(row).error();
    store::Sender sender = current_sender(*row, subject);

    Assessment a = assess(*windows, thresholds);
    Evaluation ev { std::string(subject), sender.state, next_state(sender.state, a), a.reason,
        std::move(*windows) };
    if (!ev.changed())
        return ev;
    auto written = store.write([&](store::Transaction& tx) {
        return record_state(tx, sender, ev.current, ev.reason, now, "reputation");
    });
    if (!written)
        return std::move(written).error();
    log::Logger(std::string(subject))
        .warning("sender_state",
            { { "from", store::to_string(ev.previous) }, { "to", store::to_string(ev.current) },
                { "reason", ev.reason } });
    return ev;
}

Status resume(store::Store& store, std::string_view subject, store::Time now, std::string_view who,
    std::string_view why)
{
    auto row = store.get_sender(subject);
    if (!row)
        return std::move(row).error();
    if (!*row)
        return make_error(ErrorKind::not_found, "no sender " + std::string(subject));
    std::string reason = "resumed by " + std::string(who) + (why.empty() ? "" : ": " + std::string(why));
    return store.write([&](store::Transaction& tx) -> Status {
        if (auto s = tx.add_counter(subject, resumed, now, 1); !s)
            return s;
        return record_state(tx, **row, State::ok, reason, now, "cli");
    });
}

Status suspend(store::Store& store, std::string_view subject, store::Time now, std::string_view who,
    std::string_view why)
{
    auto row = store.get_sender(subject);
    if (!row)
        return std::move(row).error();
    std::string reason = "suspended by " + std::string(who) + (why.empty() ? "" : ": " + std::string(why));
    return store.write([&](store::Transaction& tx) {
        return record_state(tx, current_sender(*row, subject), State::suspended, reason, now, "cli");
    });
}

Status set_approved(store::Store& store, std::string_view subject, bool approved)
{
    auto row = store.get_sender(subject);
    if (!row)
        return std::move(row).error();
    store::Sender sender = current_sender(*row, subject);
    sender.approved = approved;
    return store.write([&](store::Transaction& tx) { return tx.put_sender(sender); });
}

} // namespace sendsentry::reputation
