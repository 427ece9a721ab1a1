// RFC 5965 abuse reporting format (complaints / feedback loops), plus the
// Microsoft JMRP shape (a bare message/rfc822 with X-HmXmrOriginalRecipient).
// Used by the bounce parser.
#pragma once

#include "mail/mime.hh"

#include <optional>
#include <string>
#include <vector>

namespace sendsentry::mail {

struct FeedbackReport {
    std::string feedback_type; // lower-case: abuse, opt-out, auth-failure, ...
    std::vector<std::string> recipients; // complained-about recipients
    std::string original_mail_from; // the original envelope sender, if given
    std::string original_from; // From of the returned message, if any
    std::string reported_domain;
    std::string source_ip;
};

// A feedback report when MESSAGE is one, else nothing.
std::optional<FeedbackReport> read_feedback(const MimeMessage& message);

} // namespace sendsentry::mail
