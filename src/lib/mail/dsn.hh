// RFC 3464 delivery status notifications: reads the message/delivery-status
// body (one per-message group, then one group per recipient). Used by the
// bounce parser; also applied to DSN fields pasted into plain text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

struct DsnRecipient {
    std::string final_recipient; // address only ("rfc822;" stripped)
    std::string original_recipient; // address only
    std::string action; // lower-case: failed, delayed, delivered, relayed, expanded
    std::string status; // "5.1.1" as written (validated digits)
    std::string remote_mta; // host name or address ("dns;" stripped)
    std::string diagnostic_type; // upper-case "SMTP", "X-POSTFIX", ...
    std::string diagnostic; // text after "smtp;", unfolded
    std::string reply_code; // "550" when the diagnostic starts with one
    std::string vendor_category; // X-PowerMTA-BounceCategory, lower-case
};

struct DsnReport {
    std::string reporting_mta;
    std::string arrival_date;
    std::vector<DsnRecipient> recipients;
};

// A DSN report has at most this many recipient groups worth reading.
inline constexpr std::size_t max_dsn_recipients = 1000;

// Parses the body of a message/delivery-status part (or text that carries its
// fields); recipients without an address are dropped.
DsnReport parse_dsn(std::string_view body);

// True when TEXT holds DSN fields (Final-Recipient / Original-Recipient and
// Status or Action) even though it is not labelled message/delivery-status.
bool looks_like_dsn_fields(std::string_view text);

// "5.1.1" when S is a valid RFC 3463 code (class 2, 4 or 5), else "".
std::string valid_status(std::string_view s);

} // namespace sendsentry::mail
