// Maps a parsed bounce onto store writes. Hard bounces and complaints are
// global suppressions; unsubscribes are scoped to the sender domain (the
// recipient opted out of that sender's mail only, RFC 2369 / RFC 8058).
#include "store/bounce_recorder.hh"

#include "reputation/counters.hh"

namespace sendsentry::store {
namespace {

    // Diagnostic text kept in an event row.
    constexpr std::size_t max_detail = 300;

    std::string detail_of(const mail::Failure& f)
    {
        std::string d = f.status.empty() ? f.reason : f.status + " " + f.reason;
        if (!f.feedback_type.empty())
            d += " " + f.feedback_type;
        if (!f.diagnostic.empty())
            d += ": " + f.diagnostic.substr(0, max_detail);
        return d;
    }

    // Charged to the subjects policyd counted the mail under
    // (reputation/counters.hh): the domain the bounced mail was sent for.
    Status count(Transaction& tx, const std::string& domain, std::string_view name, Time now)
    {
        for (const std::string& subject : reputation::counter_subjects(domain))
            if (auto s = tx.add_counter(subject, name, reputation::bucket_of(now), 1); !s)
                return s;
        return {};
    }

    Status add_event(Transaction& tx, EventKind kind, const mail::Failure& f,
        const mail::BounceReport& report, const BounceContext& c)
    {
        Event ev;
        ev.at = c.now;
        ev.kind = kind;
        ev.recipient = f.recipient;
        ev.sender = report.sender_domain;
        ev.detail = detail_of(f);
        ev.source = "bounce";
        ev.message_key = c.message_key;
        auto id = tx.add_event(ev);
        if (!id)
            return std::move(id).error();
        return {};
    }

    Result<bool> record_failure(
        Transaction& tx, const mail::Failure& f, const mail::BounceReport& report, const BounceContext& c)
    {
        bool unsubscribe = report.kind == mail::ReportKind::feedback && f.feedback_type == "opt-out";
        bool complaint = report.kind == mail::ReportKind::feedback && !unsubscribe;
        std::string_view counter = unsubscribe ? reputation::unsubscribe
            : complaint                        ? reputation::complaint
            : f.hard                           ? reputation::hard_bounce
                                               : reputation::soft_bounce;
        if (auto s = count(tx, report.sender_domain, counter, c.now); !s)
            return std::move(s).error();

        auto key = make_key(f.recipient, unsubscribe ? report.sender_domain : std::string());
        if (!key) {
            // A redacted complaint or an address we cannot store: the event
            // and the counter still record that it happened.
            EventKind kind = complaint ? EventKind::complaint
                : unsubscribe          ? EventKind::unsubscribe
                : f.hard               ? EventKind::hard_bounce
                                       : EventKind::soft_bounce;
            if (auto s = add_event(tx, kind, f, report, c); !s)
                return std::move(s).error();
            return false;
        }
        Sighting sighting;
        sighting.key = std::move(key).value();
        sighting.source = "bounce";
        sighting.detail = detail_of(f);
        sighting.sender = report.sender_domain;
        sighting.message_key = c.message_key;
        if (!f.hard && !complaint && !unsubscribe) {
            auto entry = record_soft_bounce(tx, sighting, c.soft, c.now);
            if (!entry)
                return std::move(entry).error();
            return entry->has_value();
        }
        EventKind kind = complaint ? EventKind::complaint
            : unsubscribe          ? EventKind::unsubscribe
                                   : EventKind::hard_bounce;
        if (auto s = add_event(tx, kind, f, report, c); !s)
            return std::move(s).error();
        sighting.reason = complaint ? Reason::complaint
            : unsubscribe           ? Reason::unsubscribe
                                    : Reason::hard_bounce;
        auto entry = suppress(tx, sighting, c.now);
        if (!entry)
            return std::move(entry).error();
        return true;
    }

} // namespace

Result<BounceOutcome> record_bounce(Transaction& tx, const mail::BounceReport& report, const BounceContext& c)
{
    BounceOutcome out;
    if (report.kind == mail::ReportKind::unknown) {
        // Issue 6: a message that is not understood is stored whole.
        QuarantinedMessage q;
        q.at = c.now;
        q.message_key = c.message_key;
        q.reason = "no failed recipient found (" + report.why + ")";
        q.content = std::string(c.raw.substr(0, max_quarantine_bytes));
        auto id = tx.quarantine(q);
        if (!id)
            return std::move(id).error();
        Event ev;
        ev.at = c.now;
        ev.kind = EventKind::quarantined;
        ev.sender = report.sender_domain;
        ev.detail = "quarantine id " + std::to_string(*id);
        ev.source = "bounce";
        ev.message_key = c.message_key;
        if (auto e = tx.add_event(ev); !e)
            return std::move(e).error();
        out.quarantined = true;
        return out;
    }
    for (const mail::Failure& f : report.failures) {
        auto r = record_failure(tx, f, report, c);
        if (!r)
            return std::move(r).error();
        bool soft = !f.hard && report.kind == mail::ReportKind::bounce;
        if (*r)
            ++out.suppressed;
        else if (soft && !f.recipient.empty())
            ++out.soft_counted;
        else
            ++out.skipped;
    }
    return out;
}

} // namespace sendsentry::store
