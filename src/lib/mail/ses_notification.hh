// Amazon SES notifications delivered by e-mail (directly or wrapped in an SNS
// envelope): JSON with notificationType Bounce, Complaint or Delivery. Used by
// the bounce parser.
#pragma once

#include "mail/mime.hh"

#include <optional>
#include <string>
#include <vector>

namespace sendsentry::mail {

struct SesRecipient {
    std::string address;
    std::string status;
    std::string action;
    std::string diagnostic;
    std::string feedback_type;
};

struct SesNotification {
    std::string type; // lower-case: bounce, complaint, delivery
    std::string bounce_type; // Permanent, Transient, Undetermined
    std::string bounce_subtype; // General, NoEmail, Suppressed, MailboxFull, ...
    std::vector<SesRecipient> recipients;
};

std::optional<SesNotification> read_ses_notification(const MimeMessage& message);

// The reason SES's own bounce classification implies ("" to let the text decide).
std::string ses_reason(std::string_view bounce_type, std::string_view bounce_subtype);

} // namespace sendsentry::mail
