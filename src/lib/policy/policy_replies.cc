// Reply texts; see policy_replies.hh.
#include "policy/policy_replies.hh"

#include <ctime>

namespace sendsentry::policy {

std::string format_utc(store::Time seconds)
{
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string format_wait(TimeUs wait)
{
    if (wait < 0)
        wait = 0;
    std::int64_t s = (wait + us_per_second - 1) / us_per_second;
    if (s < 60)
        return std::to_string(s) + "s";
    if (s < 3600)
        return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
    if (s < 86400) {
        std::int64_t m = (s % 3600 + 59) / 60; // minutes rounded up: never promise too early
        if (m == 60)
            return std::to_string(s / 3600 + 1) + "h";
        return std::to_string(s / 3600) + "h" + (m ? std::to_string(m) + "m" : "");
    }
    std::int64_t h = (s % 86400 + 3599) / 3600;
    if (h == 24)
        return std::to_string(s / 86400 + 1) + "d";
    return std::to_string(s / 86400) + "d" + (h ? std::to_string(h) + "h" : "");
}

std::string suppression_reply(const PolicySettings& settings, const store::Suppression& entry)
{
    const ReplyTemplate* t = &settings.manual;
    switch (entry.reason) {
    case store::Reason::hard_bounce:
        t = &settings.hard_bounce;
        break;
    case store::Reason::complaint:
        t = &settings.complaint;
        break;
    case store::Reason::unsubscribe:
        t = &settings.unsubscribe;
        break;
    case store::Reason::soft_bounce:
        t = &settings.soft_bounce;
        break;
    case store::Reason::manual:
        break;
    }
    std::string scope = entry.scope.empty() ? "all senders" : "senders of " + entry.scope;
    std::string since = format_utc(entry.first_seen);
    return t->expand({ { "recipient", entry.address }, { "scope", scope }, { "since", since },
        { "detail", entry.detail } });
}

std::string over_limit_reply(
    const PolicySettings& settings, std::string_view key, const RateVerdict& verdict, TimeUs now)
{
    std::string limit = std::to_string(verdict.limit.count) + " " + to_string(verdict.limit.kind) + " per "
        + format_seconds(verdict.limit.window_seconds);
    if (verdict.never) {
        // More recipients in one message than the limit allows at all: a
        // retry cannot pass either, so say so instead of a time.
        return settings.over_limit.expand({ { "limit", limit }, { "key", key },
            { "retry_at", "never for this many recipients in one message" },
            { "retry_in", "split the message" } });
    }
    // Round the resume time up to the whole second shown.
    store::Time at = (verdict.retry_at + us_per_second - 1) / us_per_second;
    return settings.over_limit.expand({ { "limit", limit }, { "key", key }, { "retry_at", format_utc(at) },
        { "retry_in", format_wait(verdict.retry_at - now) } });
}

std::string not_approved_reply(
    const PolicySettings& settings, std::string_view sender, std::string_view sasl_username)
{
    return settings.not_approved.expand({ { "sender", sender }, { "sasl_username", sasl_username } });
}

std::string suspended_reply(const PolicySettings& settings, const store::Sender& sender)
{
    std::string since = format_utc(sender.state_since);
    std::string_view reason = sender.state_reason.empty() ? std::string_view("suspended by the operator")
                                                          : std::string_view(sender.state_reason);
    return settings.suspended.expand({ { "subject", sender.key }, { "since", since }, { "reason", reason } });
}

std::string could_not_tell_action(const PolicySettings& settings)
{
    switch (settings.could_not_tell) {
    case CouldNotTell::close:
        return {};
    case CouldNotTell::dunno:
        return "DUNNO";
    case CouldNotTell::defer_if_permit:
        return "DEFER_IF_PERMIT 4.3.0 Policy service cannot check this request now; try again later";
    }
    return {};
}

} // namespace sendsentry::policy
