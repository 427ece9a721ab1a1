// Reading the store into metric families.
#include "metrics/store_metrics.hh"

#include "reputation/event_report.hh"
#include "reputation/overview.hh"

#include <map>

namespace sendsentry::metrics {
namespace {

    double ratio(std::int64_t ppm) { return static_cast<double>(ppm) / 1e6; }

    void declare_families(Exposition& e)
    {
        e.declare("sendsentry_sender_sent", Type::gauge, "messages sent by the sender in the window");
        e.declare("sendsentry_sender_hard_bounces", Type::gauge,
            "hard bounces charged to the sender in the window");
        e.declare("sendsentry_sender_soft_bounces", Type::gauge,
            "soft bounces charged to the sender in the window");
        e.declare(
            "sendsentry_sender_complaints", Type::gauge, "complaints charged to the sender in the window");
        e.declare("sendsentry_sender_unsubscribes", Type::gauge,
            "unsubscribes charged to the sender in the window");
        e.declare("sendsentry_sender_blocked", Type::gauge,
            "recipients refused to the sender by policyd in the window");
        e.declare("sendsentry_sender_hard_bounce_ratio", Type::gauge,
            "hard bounces per message sent in the window");
        e.declare(
            "sendsentry_sender_complaint_ratio", Type::gauge, "complaints per message sent in the window");
        e.declare(
            "sendsentry_sender_state", Type::gauge, "1 for the sender's reputation state, 0 for the others");
        e.declare(
            "sendsentry_threshold_ratio", Type::gauge, "the rate at which a sender is warned or suspended");
        e.declare("sendsentry_suppressions", Type::gauge, "active suppression-list entries by reason");
        e.declare("sendsentry_suppressions_expired", Type::gauge,
            "expired suppression-list entries not yet purged");
        e.declare("sendsentry_policy_blocked", Type::gauge,
            "recipients refused by policyd in the window (the first reputation window), by reason");
    }

    void add_sender(Exposition& e, const reputation::SenderOverview& o)
    {
        const std::string& s = o.sender.key;
        for (const reputation::WindowCounts& w : o.windows) {
            Labels l { { "sender", s }, { "window", reputation::window_name(w.window) } };
            const reputation::Counts& c = w.counts;
            e.add("sendsentry_sender_sent", l, static_cast<double>(c.sent));
            e.add("sendsentry_sender_hard_bounces", l, static_cast<double>(c.hard_bounces));
            e.add("sendsentry_sender_soft_bounces", l, static_cast<double>(c.soft_bounces));
            e.add("sendsentry_sender_complaints", l, static_cast<double>(c.complaints));
            e.add("sendsentry_sender_unsubscribes", l, static_cast<double>(c.unsubscribes));
            e.add("sendsentry_sender_blocked", l, static_cast<double>(c.blocked));
            e.add("sendsentry_sender_hard_bounce_ratio", l,
                ratio(reputation::rate_ppm(c.hard_bounces, c.sent)));
            e.add("sendsentry_sender_complaint_ratio", l, ratio(reputation::rate_ppm(c.complaints, c.sent)));
        }
        for (store::SenderState st :
            { store::SenderState::ok, store::SenderState::warning, store::SenderState::suspended })
            e.add("sendsentry_sender_state",
                { { "sender", s }, { "state", std::string(store::to_string(st)) } },
                o.sender.state == st ? 1 : 0);
    }

    void add_thresholds(Exposition& e, const reputation::Thresholds& t)
    {
        e.add("sendsentry_threshold_ratio", { { "level", "warning" }, { "metric", "hard_bounce" } },
            ratio(t.warn_hard_bounce_ppm));
        e.add("sendsentry_threshold_ratio", { { "level", "warning" }, { "metric", "complaint" } },
            ratio(t.warn_complaint_ppm));
        e.add("sendsentry_threshold_ratio", { { "level", "suspension" }, { "metric", "hard_bounce" } },
            ratio(t.suspend_hard_bounce_ppm));
        e.add("sendsentry_threshold_ratio", { { "level", "suspension" }, { "metric", "complaint" } },
            ratio(t.suspend_complaint_ppm));
    }

} // namespace

Result<Exposition> collect(store::Store& store, store::Time now, const reputation::Thresholds& thresholds)
{
    Exposition e;
    declare_families(e);
    auto senders = reputation::overview(store, now, thresholds);
    if (!senders)
        return std::move(senders).error();
    for (const reputation::SenderOverview& o : *senders)
        add_sender(e, o);
    add_thresholds(e, thresholds);

    auto stats = store.suppression_stats(now);
    if (!stats)
        return std::move(stats).error();
    for (store::Reason r : { store::Reason::hard_bounce, store::Reason::complaint, store::Reason::soft_bounce,
             store::Reason::unsubscribe, store::Reason::manual }) {
        std::int64_t n = 0;
        for (const auto& [reason, count] : stats->by_reason)
            if (reason == r)
                n = count;
        e.add("sendsentry_suppressions", { { "reason", std::string(store::to_string(r)) } },
            static_cast<double>(n));
    }
    e.add("sendsentry_suppressions_expired", {}, static_cast<double>(stats->expired));

    std::chrono::seconds window
        = thresholds.windows.empty() ? std::chrono::hours(24) : thresholds.windows.front();
    bool truncated = false;
    auto blocked = reputation::events_between(
        store, store::EventKind::blocked_send, now - window.count(), now + 1, "", truncated);
    if (!blocked)
        return std::move(blocked).error();
    std::map<std::string, std::int64_t> by_reason;
    for (const store::Event& ev : *blocked)
        by_reason[reputation::blocked_reason(ev.detail)] += ev.count;
    for (const auto& [reason, n] : by_reason)
        e.add("sendsentry_policy_blocked",
            { { "reason", reason }, { "window", reputation::window_name(window) } }, static_cast<double>(n));
    return e;
}

} // namespace sendsentry::metrics
