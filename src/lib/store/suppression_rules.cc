// Suppression rules: key normalisation, the merge of sightings, soft-bounce
// counting. Pure logic plus calls on a Transaction the caller owns.
#include "store/suppression_rules.hh"

#include "core/address.hh"
#include "core/config.hh"

namespace sendsentry::store {

Result<std::string> normalize_scope(std::string_view scope)
{
    if (scope.empty() || scope == "global" || scope == "*")
        return std::string();
    if (scope.find('@') != std::string_view::npos) {
        auto a = parse_address(scope);
        if (!a)
            return make_error(ErrorKind::invalid, "scope: " + a.error().message);
        return a->domain();
    }
    auto d = normalize_domain(scope);
    if (!d)
        return make_error(ErrorKind::invalid, "scope: " + d.error().message);
    return std::move(d).value();
}

Result<SuppressionKey> make_key(std::string_view address, std::string_view scope)
{
    auto a = parse_address(address);
    if (!a)
        return std::move(a).error();
    auto s = normalize_scope(scope);
    if (!s)
        return std::move(s).error();
    return SuppressionKey { a->str(), std::move(s).value() };
}

namespace {

    bool is_permanent(Reason r) noexcept { return r != Reason::soft_bounce; }

    // The later of two expiries; std::nullopt (forever) is the latest.
    std::optional<Time> later(std::optional<Time> a, std::optional<Time> b)
    {
        if (!a || !b)
            return std::nullopt;
        return std::max(*a, *b);
    }

    Suppression fresh(const Sighting& s, Time now)
    {
        Suppression e;
        e.address = s.key.address;
        e.scope = s.key.scope;
        e.reason = s.reason;
        e.source = s.source;
        e.detail = s.detail;
        e.first_seen = now;
        e.last_seen = now;
        e.hits = 1;
        e.expires = s.expires;
        e.note = s.note;
        return e;
    }

} // namespace

Suppression merge(const std::optional<Suppression>& existing, const Sighting& s, Time now)
{
    if (!existing || !existing->active_at(now)) {
        Suppression e = fresh(s, now);
        if (existing && e.note.empty())
            e.note = existing->note;
        return e;
    }
    Suppression e = *existing;
    e.last_seen = std::max(e.last_seen, now);
    e.hits += 1;
    if (!s.note.empty() || s.authoritative)
        e.note = s.note.empty() ? e.note : s.note;
    if (s.authoritative) {
        e.reason = s.reason;
        e.expires = s.expires;
        e.source = s.source;
        e.detail = s.detail;
        return e;
    }
    if (s.reason == Reason::soft_bounce && is_permanent(e.reason))
        return e; // a mailbox-full never weakens a hard bounce or a complaint
    if (s.reason == e.reason)
        e.expires = later(e.expires, s.expires);
    else
        e.expires = s.expires;
    e.reason = s.reason;
    e.source = s.source;
    e.detail = s.detail;
    return e;
}

Result<Suppression> suppress(Transaction& tx, const Sighting& sighting, Time now)
{
    auto existing = tx.get_suppression(sighting.key.address, sighting.key.scope);
    if (!existing)
        return std::move(existing).error();
    Suppression entry = merge(*existing, sighting, now);
    if (auto s = tx.put_suppression(entry); !s)
        return std::move(s).error();
    bool added = !*existing || !(*existing)->active_at(now);
    Event ev;
    ev.at = now;
    ev.kind = added ? EventKind::suppression_added : EventKind::suppression_updated;
    ev.recipient = entry.address;
    ev.sender = sighting.sender;
    ev.scope = entry.scope;
    ev.detail
        = std::string(to_string(entry.reason)) + (sighting.detail.empty() ? "" : ": " + sighting.detail);
    ev.source = sighting.source;
    ev.message_key = sighting.message_key;
    if (auto id = tx.add_event(ev); !id)
        return std::move(id).error();
    return entry;
}

Status import_entry(Transaction& tx, const Suppression& entry) { return tx.upsert_suppression(entry); }

Result<bool> unsuppress(
    Transaction& tx, const SuppressionKey& key, std::string_view source, std::string_view detail, Time now)
{
    auto removed = tx.remove_suppression(key.address, key.scope);
    if (!removed || !*removed)
        return removed;
    Event ev;
    ev.at = now;
    ev.kind = EventKind::suppression_removed;
    ev.recipient = key.address;
    ev.scope = key.scope;
    ev.detail = std::string(detail);
    ev.source = std::string(source);
    if (auto id = tx.add_event(ev); !id)
        return std::move(id).error();
    return true;
}

SoftBouncePolicy soft_bounce_policy(const config::Config& config)
{
    SoftBouncePolicy p;
    p.limit = config.integer("bounce", "soft_bounce_limit");
    p.window = config.duration("bounce", "soft_bounce_window").count();
    p.expiry = config.duration("bounce", "soft_bounce_expiry").count();
    return p;
}

Result<std::optional<Suppression>> record_soft_bounce(
    Transaction& tx, const Sighting& sighting, const SoftBouncePolicy& policy, Time now)
{
    Event ev;
    ev.at = now;
    ev.kind = EventKind::soft_bounce;
    ev.recipient = sighting.key.address;
    ev.sender = sighting.sender;
    ev.scope = sighting.key.scope;
    ev.detail = sighting.detail;
    ev.source = sighting.source;
    ev.message_key = sighting.message_key;
    if (auto id = tx.add_event(ev); !id)
        return std::move(id).error();
    auto count = tx.count_events(EventKind::soft_bounce, sighting.key.address, now - policy.window);
    if (!count)
        return std::move(count).error();
    if (*count < policy.limit)
        return std::optional<Suppression>();
    Sighting s = sighting;
    s.reason = Reason::soft_bounce;
    s.expires = policy.expiry > 0 ? std::optional<Time>(now + policy.expiry) : std::nullopt;
    s.detail = std::to_string(*count) + " soft bounces since " + std::to_string(now - policy.window)
        + (sighting.detail.empty() ? "" : "; last: " + sighting.detail);
    auto entry = suppress(tx, s, now);
    if (!entry)
        return std::move(entry).error();
    return std::optional<Suppression>(std::move(entry).value());
}

} // namespace sendsentry::store
