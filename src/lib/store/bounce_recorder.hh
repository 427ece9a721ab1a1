// What one bounce report does to the store, inside the caller's transaction
// (issue 6): an event per recipient, suppression for hard bounces,
// complaints and unsubscribes, soft-bounce counting, per-sender-domain
// counters, quarantine of what could not be read. Used by sendsentry-bounce.
#pragma once

#include "mail/bounce_parser.hh"
#include "store/suppression_rules.hh"

#include <string>

namespace sendsentry::store {

struct BounceContext {
    Time now = 0;
    std::string message_key; // idempotency / event key: a digest of the message
    std::string_view raw; // the message, for the quarantine
    SoftBouncePolicy soft; // [bounce] soft_bounce_*
};

// What was written, for the log line.
struct BounceOutcome {
    int suppressed = 0; // entries added or refreshed
    int soft_counted = 0; // soft bounces under the limit
    int skipped = 0; // recipients that are not valid addresses
    bool quarantined = false;
};

[[nodiscard]] Result<BounceOutcome> record_bounce(
    Transaction& tx, const mail::BounceReport& report, const BounceContext& context);

} // namespace sendsentry::store
