// What `sendsentry metrics` publishes (issue 8), read from the store: per
// sender and window the volumes, rates and state, the thresholds, the
// suppression list by reason, and the policy daemon's refusals by reason.
// The store keeps no record of accepted policy decisions beyond the sent
// counters, nor of milter signatures, so neither is exported.
#pragma once

#include "metrics/exposition.hh"
#include "reputation/assessment.hh"
#include "store/store.hh"

namespace sendsentry::metrics {

[[nodiscard]] Result<Exposition> collect(
    store::Store& store, store::Time now, const reputation::Thresholds& thresholds);

} // namespace sendsentry::metrics
