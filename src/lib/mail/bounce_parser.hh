// Reads one message that arrived at the bounce address and says what it
// reports: failed recipients (DSN or vendor text), complaints (ARF), or
// nothing (auto-replies, success notices, ordinary mail). Pure: no store, no
// I/O. Used by sendsentry-bounce and the fuzz target.
#pragma once

#include "mail/mime.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

enum class ReportKind {
    none, // not a bounce: auto-reply, delivery success, ordinary mail
    bounce, // delivery failures
    feedback, // ARF complaint or opt-out
    unknown, // looks like a bounce but no recipient could be read: quarantine
};

const char* to_string(ReportKind kind) noexcept;

struct Failure {
    std::string recipient; // "" only for a redacted complaint
    std::string status; // RFC 3463 code, "" when none was given
    std::string reply_code; // SMTP reply code, "" when none was given
    std::string reason; // Sisimai taxonomy name
    bool hard = false; // suppress now
    std::string diagnostic; // the receiver's words, printable UTF-8
    std::string remote_mta; // host that refused, if known
    std::string feedback_type; // ARF Feedback-Type for complaints, else ""
    std::string action; // DSN action (failed, delayed) or ""
    std::string command; // SMTP command answered (RCPT, DATA, ...) or ""
    std::string vendor_category; // the reporting MTA's own class, if it gave one
    bool status_guessed = false; // status is "X.0.0" because the bounce gave no code
};

struct BounceReport {
    ReportKind kind = ReportKind::none;
    std::vector<Failure> failures;
    std::string sender_domain; // the domain the bounced mail was sent for
    std::string original_message_id;
    std::string why; // for logs: which reader decided (dsn, arf, text, vacation, ...)
};

// What Postfix tells the pipe(8) command about this delivery.
struct Envelope {
    std::string sender; // ${sender}: usually "" for bounces
    std::string recipient; // ${recipient}: the bounce address, maybe VERP-tagged
    // From a verified return-path token (mail/return_path.hh): the original
    // envelope sender's domain. Decides sender_domain, whatever the body says.
    std::string token_sender_domain = {};
    // The recipient has the token form but did not verify (forged, expired,
    // malformed): neither it nor its domain may name the sender domain.
    bool token_refused = false;
};

BounceReport parse_bounce(std::string_view raw, const Envelope& envelope = {}, const MimeLimits& limits = {});

} // namespace sendsentry::mail
