// Stores what one bounce reports in one transaction, exactly once per message
// (issue 6), and says which sysexits code pipe(8) should see.
#pragma once

#include "core/config.hh"
#include "core/log.hh"
#include "mail/bounce_parser.hh"
#include "message_input.hh"
#include "reputation/assessment.hh"
#include "reputation/notice.hh"
#include "store/suppression_rules.hh"

#include <memory>

namespace sendsentry::bounce {

// The idempotency key of a message: "bounce:" and the SHA-256 of its bytes,
// so Postfix delivering the same bounce twice (a retry after a crash) counts
// once.
std::string message_key(std::string_view text);

class Recorder {
public:
    // Opens the store the configuration names; nullptr with a logged error
    // when it cannot be opened (the caller exits 75).
    static std::unique_ptr<Recorder> open(const config::Config& cfg);

    // EX_OK when stored (or already stored), EX_TEMPFAIL when it could not be.
    int record(const mail::Envelope& envelope, const Message& message, const mail::BounceReport& report);

private:
    Recorder(std::unique_ptr<store::Store> store, const config::Config& cfg);

    // Issue 8: judges the charged sender right after its bounce is stored.
    void evaluate_sender(const mail::BounceReport& report, store::Time now, const log::Logger& logger);

    std::unique_ptr<store::Store> store_;
    store::SoftBouncePolicy soft_;
    reputation::Thresholds thresholds_;
    reputation::NoticeSettings notice_;
};

} // namespace sendsentry::bounce
