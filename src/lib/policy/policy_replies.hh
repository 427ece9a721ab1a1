// The texts policyd answers with: each refusal names its reason, and a rate
// deferral names the limit and when sending may resume. Pure: settings and
// facts in, Postfix action out. Used by the policy engine.
#pragma once

#include "policy/policy_settings.hh"
#include "policy/rate_limit.hh"
#include "store/store.hh"

#include <string>
#include <string_view>

namespace sendsentry::policy {

// "2026-11-25 17:03:12 UTC".
std::string format_utc(store::Time seconds);
// A wait rounded up to the second: "0s", "42s", "3m12s", "1h5m", "2d3h".
std::string format_wait(TimeUs wait);

std::string suppression_reply(const PolicySettings& settings, const store::Suppression& entry);
std::string over_limit_reply(
    const PolicySettings& settings, std::string_view key, const RateVerdict& verdict, TimeUs now);
std::string not_approved_reply(
    const PolicySettings& settings, std::string_view sender, std::string_view sasl_username);
std::string suspended_reply(const PolicySettings& settings, const store::Sender& sender);

// The action for "could not tell", or "" for close-without-reply.
std::string could_not_tell_action(const PolicySettings& settings);

} // namespace sendsentry::policy
