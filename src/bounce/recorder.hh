// Stores what one bounce reports, in one transaction (issue 6): events,
// suppressions, soft-bounce counting, quarantine, idempotency. Returns the
// sysexits code for pipe(8).
#pragma once

#include "core/config.hh"
#include "mail/bounce_parser.hh"
#include "message_input.hh"

namespace sendsentry::bounce {

int record(const config::Config& cfg, const mail::Envelope& envelope, const Message& message,
    const mail::BounceReport& report);

} // namespace sendsentry::bounce
