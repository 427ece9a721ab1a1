// Every sender the store knows (a senders row or any counter), with its state
// and window counts: what `sendsentry senders`, `sender show`, the metrics and
// the reports present.
#pragma once

#include "reputation/guard.hh"

#include <string>
#include <vector>

namespace sendsentry::reputation {

struct SenderOverview {
    store::Sender sender; // key, state, since, reason (defaults when no row)
    std::vector<WindowCounts> windows; // in the order of Thresholds::windows
};

// Senders ordered by key. Subjects are sender domains and, where the policy
// daemon counts them, sender addresses.
[[nodiscard]] Result<std::vector<SenderOverview>> overview(
    store::Store& store, store::Time now, const Thresholds& thresholds);

[[nodiscard]] Result<SenderOverview> overview_of(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds);

// Rate in parts per million of COUNT over TOTAL (0 when nothing was sent).
std::int64_t rate_ppm(std::int64_t count, std::int64_t total) noexcept;

// One JSON object: key, state, state_since, state_reason, windows[...].
std::string to_json(const SenderOverview& o);

} // namespace sendsentry::reputation
