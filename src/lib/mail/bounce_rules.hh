// Classification of one failed delivery into a reason (Sisimai's taxonomy,
// see README "Bounce reasons") and hard vs soft, from the enhanced status
// code, the SMTP reply and the receiver's wording. Used by the bounce parser.
#pragma once

#include <string>
#include <string_view>

namespace sendsentry::mail {

struct ClassifyInput {
    std::string_view status; // "5.1.1" or ""
    std::string_view reply_code; // "550" or ""
    std::string_view diagnostic; // the receiver's text (any case)
    std::string_view action; // DSN action: failed, delayed, ...
    std::string_view command; // SMTP command the error answered: RCPT, DATA, EHLO, MAIL, ...
    std::string_view remote_mta; // for receiver-specific wording
    std::string_view diagnostic_type; // "SMTP", "X-POSTFIX", "X-UNIX"
    std::string_view recipient; // the failed address
    std::string_view notice; // the notice text when it concerns this recipient alone
    std::string_view vendor_category; // the reporting MTA's own class (X-PowerMTA-BounceCategory)
};

// The reason from the wording alone ("" when no phrase matches).
std::string reason_from_text(std::string_view diagnostic);

// The reason an enhanced status code alone implies ("" when it says nothing
// specific, e.g. 5.0.0 or 4.4.0).
std::string reason_from_status(std::string_view status);

// The whole decision: text first, then the status code, then the command and
// the action as fallbacks; never empty ("undefined" or "onhold" at worst).
std::string classify(const ClassifyInput& in);

// Whether REASON is a hard bounce (suppress at once): the address or domain
// does not exist or has moved; notaccept only with a permanent (5xx) answer.
// STATUS_GUESSED: STATUS is "X.0.0" made up for a bounce that gave no code.
bool is_hard(std::string_view reason, std::string_view status, std::string_view reply_code,
    bool status_guessed = false);

// The reasons that are not failures at all.
bool is_not_failure(std::string_view reason);

} // namespace sendsentry::mail
