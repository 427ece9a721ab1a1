// Names of the per-sender counters the reputation guard reads (store
// counters table), and the bucket width their writers use. The policy daemon
// writes sent and blocked; the bounce program writes the bounce kinds.
#pragma once

#include "store/store.hh"

#include <string_view>

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

// Start of the bucket that holds NOW.
inline store::Time bucket_of(store::Time now) { return now - now % counter_bucket_seconds; }

} // namespace sendsentry::reputation
