// Non-standard bounces: the human-readable text that Exim, qmail, Sendmail,
// Exchange, providers and gateways write instead of (or beside) an RFC 3464
// report. Finds which recipients failed and the words said about each.
// Used by the bounce parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

struct TextFailure {
    std::string recipient;
    std::string diagnostic; // the block of text about this recipient
};

// The part of TEXT before the returned original message, if a separator
// line ("------ This is a copy of the message", "--- Below this line is a
// copy of the message.", ...) or an inline header block shows where it starts.
std::string_view strip_returned_message(std::string_view text);

// Failed recipients named in TEXT (already stripped of the returned message).
// Addresses in IGNORE (the bounce's own From/To, the original sender) are
// not recipients.
std::vector<TextFailure> read_text_bounce(std::string_view text, const std::vector<std::string>& ignore);

// Whether the header and text make MESSAGE look like a delivery failure
// notice at all (mailer-daemon sender, bounce subject, failure wording).
bool looks_like_bounce(std::string_view from, std::string_view subject, std::string_view text);

} // namespace sendsentry::mail
