// Policy decisions and write-behind; see policy_engine.hh.
#include "policy/policy_engine.hh"

#include "policy/limit_key.hh"
#include "policy/policy_replies.hh"
#include "reputation/counters.hh"

#include <algorithm>
#include <charconv>

namespace sendsentry::policy {
namespace {

    store::Time seconds_of(TimeUs t) { return t / us_per_second; }

    std::int64_t parse_count(std::string_view text)
    {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        return ec == std::errc() && p == text.data() + text.size() && n >= 0 ? n : 0;
    }

    log::Logger logger_for(const PolicyRequest& request)
    {
        std::string_view qid = request.get("queue_id");
        return log::Logger(qid.empty() ? std::string("NOQUEUE") : std::string(qid));
    }

    // The refusals of a sender that share an event: everything the reply
    // depends on, i.e. the reason, the sender and login (approval,
    // suspension) and the rate-limit key.
    std::string refusal_key(std::string_view why, const PolicyRequest& request, const Session& session)
    {
        const auto& limit_key = session.derived.limit_key;
        std::string key(why);
        for (std::string_view part : { std::string_view(session.derived.sender), request.get("sasl_username"),
                 limit_key ? std::string_view(*limit_key) : std::string_view() }) {
            key += '\0';
            key += part;
        }
        return key;
    }

} // namespace

std::string limiter_row_key(std::string_view key, const WindowState& window)
{
    std::string out(limiter_row_prefix);
    out += to_string(window.kind);
    out += '|';
    out += std::to_string(window.window_seconds);
    out += '|';
    out += key;
    return out;
}

std::optional<std::pair<std::string, WindowState>> parse_limiter_row(const store::LimiterState& row)
{
    std::string_view k = row.key;
    if (!k.starts_with(limiter_row_prefix))
        return std::nullopt;
    k.remove_prefix(limiter_row_prefix.size());
    auto bar1 = k.find('|');
    auto bar2 = bar1 == std::string_view::npos ? bar1 : k.find('|', bar1 + 1);
    if (bar2 == std::string_view::npos)
        return std::nullopt;
    auto kind = parse_limit_kind(k.substr(0, bar1));
    std::int64_t window = parse_count(k.substr(bar1 + 1, bar2 - bar1 - 1));
    if (!kind || window <= 0 || row.level < 0 || row.level > 9.0e15)
        return std::nullopt;
    return std::make_pair(
        std::string(k.substr(bar2 + 1)), WindowState { *kind, window, static_cast<TimeUs>(row.level) });
}

PolicyEngine::PolicyEngine(store::Store& store, PolicySettings settings)
    : store_(store)
    , settings_(std::move(settings))
{
    apply_overrides();
}

void PolicyEngine::reconfigure(PolicySettings settings)
{
    settings_ = std::move(settings);
    ++generation_;
    apply_overrides();
}

void PolicyEngine::set_store_overrides(std::unordered_map<std::string, std::vector<Limit>> overrides)
{
    if (overrides == store_overrides_)
        return; // the daemon reads them every second; they seldom change
    store_overrides_ = std::move(overrides);
    apply_overrides();
}

void PolicyEngine::apply_overrides()
{
    limiter_.set_defaults(settings_.limits);
    auto merged = settings_.overrides;
    for (const auto& [key, limits] : store_overrides_) {
        auto& target = merged[key];
        // The store's windows of a kind replace the file's windows of that kind.
        for (LimitKind kind : { LimitKind::messages, LimitKind::recipients }) {
            bool has
                = std::any_of(limits.begin(), limits.end(), [&](const Limit& l) { return l.kind == kind; });
            if (!has)
                continue;
            std::erase_if(target, [&](const Limit& l) { return l.kind == kind; });
            for (const Limit& l : limits)
                if (l.kind == kind)
                    target.push_back(l);
        }
    }
    limiter_.set_overrides(std::move(merged));
}

Answer PolicyEngine::handle(const PolicyRequest& request, Session& session, TimeUs now)
{
    if (request.get("request") != "smtpd_access_policy")
        return { false, "DUNNO" };
    std::string_view instance = request.get("instance");
    if (instance != session.instance) {
        Session::Derived derived = std::move(session.derived); // still checked against each request
        session = Session {};
        session.instance.assign(instance);
        session.derived = std::move(derived);
    }
    std::string_view state = request.get("protocol_state");
    if (state == "RCPT")
        return rcpt(request, session, now);
    if ((state == "END-OF-MESSAGE" && settings_.count_at == CountAt::end_of_message)
        || (state == "DATA" && settings_.count_at == CountAt::data))
        return count(request, session, now);
    return { false, "DUNNO" };
}

void PolicyEngine::derive(const PolicyRequest& request, Session& session) const
{
    Session::Derived& d = session.derived;
    std::string_view sender = request.get("sender");
    std::string_view sasl = request.get("sasl_username");
    std::string_view client = request.get("client_address");
    if (d.generation == generation_ && sender == d.raw_sender && sasl == d.raw_sasl && client == d.raw_client)
        return;
    d.raw_sender.assign(sender);
    d.raw_sasl.assign(sasl);
    d.raw_client.assign(client);
    d.sender = normalized_sender(sender);
    d.sender_domain = sender_domain_of(sender);
    d.limit_key = derive_limit_key(settings_.key_sources, request);
    d.generation = generation_;
}

Result<std::optional<store::Sender>> PolicyEngine::lookup_sender(const std::string& key, TimeUs now)
{
    auto it = sender_cache_.find(key);
    if (it != sender_cache_.end() && now - it->second.first < sender_cache_ttl && now >= it->second.first)
        return it->second.second;
    auto entry = store_.get_sender(key);
    if (!entry)
        return entry.error();
    if (sender_cache_.size() >= max_sender_cache)
        sender_cache_.clear(); // crude but bounded; a cold cache costs one lookup per sender
    sender_cache_[key] = { now, *entry };
    return entry;
}

Status PolicyEngine::check_sender(const PolicyRequest& request, Session& session, TimeUs now)
{
    session.sender_checked = true;
    session.sender_refusal.reset();
    const std::string& sender = session.derived.sender;
    const std::string& domain = session.derived.sender_domain;
    std::string_view sasl = request.get("sasl_username");
    // An entry for the address, its domain or the SASL login applies.
    std::vector<std::string> candidates;
    std::string sasl_key = reputation::sasl_subject(sasl); // the guard's subject for the login
    for (std::string_view c :
        { std::string_view(sender), std::string_view(domain), sasl, std::string_view(sasl_key) })
        if (!c.empty() && std::find(candidates.begin(), candidates.end(), c) == candidates.end())
            candidates.emplace_back(c);
    bool approved = false;
    for (const std::string& c : candidates) {
        auto entry = lookup_sender(c, now);
        if (!entry)
            return entry.error();
        if (!*entry)
            continue;
        approved = approved || (*entry)->approved;
        if ((*entry)->state == store::SenderState::suspended) {
            session.sender_refusal = suspended_reply(settings_, **entry);
            session.sender_refusal_why = "sender_suspended";
            return {};
        }
    }
    if (settings_.approved_senders_only && !approved) {
        session.sender_refusal = not_approved_reply(settings_, sender, sasl);
        session.sender_refusal_why = "not_approved";
    }
    return {};
}

Answer PolicyEngine::rcpt(const PolicyRequest& request, Session& session, TimeUs now)
{
    std::string recipient = normalized_recipient(request.get("recipient"));
    derive(request, session);
    if (!session.sender_checked) {
        if (auto st = check_sender(request, session, now); !st) {
            session.sender_checked = false;
            return could_not_tell(st.error(), request);
        }
    }
    if (session.sender_refusal)
        return refuse(*session.sender_refusal, session.sender_refusal_why, RefusalOf::sender, request,
            session, recipient, "", now);

    if (!recipient.empty()) {
        auto hit = store_.find_suppression(recipient, session.derived.sender_domain, seconds_of(now));
        if (!hit)
            return could_not_tell(hit.error(), request);
        if (*hit)
            return refuse(suppression_reply(settings_, **hit), "suppressed", RefusalOf::recipient, request,
                session, recipient, (*hit)->scope, now);
    }

    if (const auto& key = session.derived.limit_key) {
        RateVerdict v = limiter_.check(*key, Usage { 1, session.accepted_recipients + 1 }, now);
        if (!v.allowed)
            return refuse(over_limit_reply(settings_, *key, v, now), "rate_limit", RefusalOf::sender, request,
                session, recipient, "", now);
    }
    ++session.accepted_recipients;
    return { false, "DUNNO" };
}

Answer PolicyEngine::count(const PolicyRequest& request, Session& session, TimeUs now)
{
    if (session.counted)
        return { false, "DUNNO" };
    // recipient_count is what Postfix accepted: recipients refused by us or
    // by later restrictions are not in it (FIELD-NOTES: non-zero only here).
    std::int64_t recipients = parse_count(request.get("recipient_count"));
    if (recipients == 0)
        recipients = session.accepted_recipients;
    derive(request, session);
    if (const auto& key = session.derived.limit_key) {
        Usage usage { 1, recipients };
        // Checked again here: parallel sessions of one sender may each have
        // passed their RCPT checks.
        RateVerdict v = limiter_.check(*key, usage, now);
        if (!v.allowed)
            return refuse(over_limit_reply(settings_, *key, v, now), "rate_limit", RefusalOf::sender, request,
                session, "", "", now);
        limiter_.commit(*key, usage, now);
    }
    session.counted = true;
    count_for_sender(request, session, reputation::sent, now);
    return { false, "DUNNO" };
}

Answer PolicyEngine::could_not_tell(const Error& error, const PolicyRequest& request)
{
    std::string action = could_not_tell_action(settings_);
    logger_for(request).error("store_could_not_tell",
        { { "error", to_string(error.kind) }, { "detail", error.message },
            { "action", action.empty() ? std::string("close") : action } });
    return { action.empty(), action };
}

Answer PolicyEngine::refuse(std::string action, std::string_view why, RefusalOf of,
    const PolicyRequest& request, const Session& session, std::string_view recipient, std::string_view scope,
    TimeUs now)
{
    const std::string& sender = session.derived.sender;
    logger_for(request).info("blocked",
        { { "reason", why }, { "sender", sender }, { "recipient", recipient },
            { "client", request.get("client_address") }, { "action", action } });
    auto event = [&](std::string_view event_recipient) {
        store::Event e;
        e.at = seconds_of(now);
        e.kind = store::EventKind::blocked_send;
        e.recipient.assign(event_recipient);
        e.sender = sender;
        e.scope.assign(scope);
        e.detail = std::string(why) + ": " + action;
        e.source = "policyd";
        e.message_key.assign(request.get("queue_id"));
        return e;
    };
    if (of == RefusalOf::recipient) {
        if (events_.size() >= max_pending_events) {
            events_.pop_front(); // the store is down for long: keep the newest
            ++dropped_events_;
        }
        events_.push_back(event(recipient));
    } else {
        auto [it, fresh] = refusals_.try_emplace(refusal_key(why, request, session));
        if (!fresh) {
            ++it->second.count;
        } else if (refusals_.size() > max_pending_events) {
            refusals_.erase(it); // the store is down for long: keep the oldest
            ++dropped_events_;
        } else {
            it->second = event(""); // it stands for refusals of many recipients
        }
    }
    count_for_sender(request, session, reputation::blocked, now);
    return { false, std::move(action) };
}

void PolicyEngine::count_for_sender(
    const PolicyRequest& request, const Session& session, std::string_view name, TimeUs now)
{
    // The subjects the bounce program charges too (reputation/counters.hh).
    store::Time bucket = reputation::bucket_of(seconds_of(now));
    for (std::string& subject :
        reputation::counter_subjects(session.derived.sender_domain, request.get("sasl_username")))
        ++counters_[{ std::move(subject), std::string(name), bucket }];
}

std::size_t PolicyEngine::pending_writes() const noexcept
{
    return limiter_.dirty_count() + events_.size() + refusals_.size() + counters_.size();
}

Status PolicyEngine::load_state()
{
    auto rows = store_.load_limiter_states();
    if (!rows)
        return rows.error();
    std::unordered_map<std::string, std::vector<WindowState>> by_key;
    for (const store::LimiterState& row : *rows)
        if (auto parsed = parse_limiter_row(row))
            by_key[parsed->first].push_back(parsed->second);
    for (auto& [key, windows] : by_key)
        limiter_.restore(key, std::move(windows));
    return {};
}

Status write_batch(store::Store& store, const PersistBatch& batch)
{
    if (batch.empty())
        return {};
    std::vector<store::LimiterState> rows;
    for (const auto& [key, windows] : batch.windows)
        for (const WindowState& w : windows)
            rows.push_back(
                { limiter_row_key(key, w), static_cast<double>(w.tat), seconds_of(batch.taken_at) });
    return store.write([&](store::Transaction& tx) -> Status {
        if (auto st = tx.save_limiter_states(rows); !st)
            return st;
        for (const store::Event& e : batch.events)
            if (auto id = tx.add_event(e); !id)
                return id.error();
        for (const auto& [key, e] : batch.refusals)
            if (auto id = tx.add_event(e); !id)
                return id.error();
        for (const auto& [key, count] : batch.counters)
            if (auto st = tx.add_counter(std::get<0>(key), std::get<1>(key), std::get<2>(key), count); !st)
                return st;
        if (batch.forget_before)
            if (auto n = tx.forget_limiter_states(*batch.forget_before); !n)
                return n.error();
        return {};
    });
}

PersistBatch PolicyEngine::take_batch(TimeUs now)
{
    last_flush_ = now;
    PersistBatch batch;
    batch.taken_at = now;
    batch.windows = limiter_.take_dirty();
    batch.events.swap(events_);
    batch.refusals.swap(refusals_);
    batch.counters.swap(counters_);
    if (now - last_forget_ >= 3600 * us_per_second) {
        // Rows untouched for longer than the longest window are at rest.
        std::int64_t longest = 0;
        for (const Limit& l : settings_.limits)
            longest = std::max(longest, l.window_seconds);
        for (const auto* m : { &settings_.overrides, &store_overrides_ })
            for (const auto& [key, limits] : *m)
                for (const Limit& l : limits)
                    longest = std::max(longest, l.window_seconds);
        batch.forget_before = seconds_of(now) - longest - 86400;
    }
    return batch;
}

void PolicyEngine::batch_done(PersistBatch batch, const Status& written, TimeUs now)
{
    if (written) {
        if (batch.forget_before)
            last_forget_ = batch.taken_at;
        // A scan of every key: once a minute, not with every batch.
        if (now - last_expire_ >= 60 * us_per_second) {
            last_expire_ = now;
            limiter_.expire(now);
        }
        if (dropped_events_ > 0) {
            log::Logger("policyd").warning("events_dropped", { { "count", dropped_events_ } });
            dropped_events_ = 0;
        }
        return;
    }
    // Take everything back; newer changes made meanwhile stay newer.
    for (auto& [key, windows] : batch.windows)
        limiter_.mark_dirty(key, std::move(windows));
    for (auto it = batch.events.rbegin(); it != batch.events.rend(); ++it) {
        if (events_.size() >= max_pending_events) {
            ++dropped_events_;
            continue;
        }
        events_.push_front(std::move(*it));
    }
    for (auto& [key, e] : batch.refusals) {
        auto it = refusals_.find(key);
        if (it == refusals_.end()) {
            if (refusals_.size() >= max_pending_events)
                dropped_events_ += e.count;
            else
                refusals_.emplace(key, std::move(e));
            continue;
        }
        e.count += it->second.count; // the batch's event came first: its fields stay
        it->second = std::move(e);
    }
    for (const auto& [key, count] : batch.counters)
        counters_[key] += count;
}

Status PolicyEngine::flush(TimeUs now)
{
    PersistBatch batch = take_batch(now);
    Status st = write_batch(store_, batch);
    batch_done(std::move(batch), st, now);
    return st;
}

} // namespace sendsentry::policy
