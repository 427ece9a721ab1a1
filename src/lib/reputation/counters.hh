// Names and subjects of the per-sender counters the reputation guard reads
// (store counters table), and the bucket width their writers use. The policy
// daemon writes sent and blocked; the bounce program writes the bounce kinds;
// both name their subjects with counter_subjects() so that the guard, the
// overview and the reports find a sender's mail and its bounces together.
#pragma once

#include "store/store.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::reputation {

inline constexpr store::Time counter_bucket_seconds = 3600;

inline constexpr std::string_view sent = "sent";
inline constexpr std::string_view hard_bounce = "hard_bounce";
inline constexpr std::string_view soft_bounce = "soft_bounce";
inline constexpr std::string_view complaint = "complaint";
inline constexpr std::string_view unsubscribe = "unsubscribe";
inline constexpr std::string_view blocked = "blocked";
// Written once when an operator resumes a sender, with the exact resume time
// as its bucket: windows are judged from then on, so the counts that caused
// the suspension do not suspend the sender again at once.
inline constexpr std::string_view resumed = "resumed";

// The subject of a sender domain: its lower-cased A-label form (core/address),
// or the text lower-cased when it is not a valid name; "" for "".
std::string domain_subject(std::string_view domain);
// The subject of a SASL login: "sasl:" and the login lower-cased (the policy
// daemon's limit key spells it the same way); "" for "".
std::string sasl_subject(std::string_view sasl_username);

// Every subject one message is counted under (issue 8): the envelope
// sender's domain and, when the client authenticated, its SASL login. The
// policy daemon passes both; the bounce program knows only the domain the
// returned mail was sent for, so bounce rates are judged per domain and a SASL
// login's rates show its volume and blocked sends. Empty inputs add nothing.
std::vector<std::string> counter_subjects(
    std::string_view sender_domain, std::string_view sasl_username = {});

// Start of the bucket that holds NOW.
inline store::Time bucket_of(store::Time now) { return now - now % counter_bucket_seconds; }

} // namespace sendsentry::reputation
