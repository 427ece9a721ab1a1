// SES notification contents (docs.aws.amazon.com/ses notification-contents):
// bounce.bouncedRecipients[], complaint.complainedRecipients[].
#include "mail/ses_notification.hh"

#include "mail/json_reader.hh"
#include "mail/text_util.hh"

namespace sendsentry::mail {
namespace {

    // A notification is a few kilobytes; a bigger text part is something else.
    constexpr std::size_t max_notification = 512 * 1024;

    std::optional<JsonValue> json_in(std::string_view body)
    {
        if (body.size() > max_notification)
            return std::nullopt;
        std::string text;
        text.reserve(body.size());
        // Some archives fold long lines as "!\n " (mbox tools); undo that.
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '!' && i + 2 < body.size() && body[i + 1] == '\n' && body[i + 2] == ' ') {
                i += 2;
                continue;
            }
            text += body[i];
        }
        auto open = text.find('{');
        auto close = text.rfind('}');
        if (open == std::string::npos || close == std::string::npos || close < open)
            return std::nullopt;
        return parse_json(std::string_view(text).substr(open, close - open + 1));
    }

    void read_recipients(const JsonValue* list, SesNotification& out, std::string_view feedback_type)
    {
        if (!list || list->kind != JsonValue::Kind::array)
            return;
        for (const JsonValue& r : list->items) {
            SesRecipient x;
            x.address = std::string(r.str("emailAddress"));
            x.status = std::string(r.str("status"));
            x.action = to_lower(r.str("action"));
            std::string_view diag = r.str("diagnosticCode");
            auto semi = diag.find(';');
            if (semi != std::string_view::npos && semi < 12)
                diag = trim(diag.substr(semi + 1));
            x.diagnostic = std::string(diag);
            x.feedback_type = to_lower(feedback_type);
            if (!x.address.empty() && out.recipients.size() < 1000)
                out.recipients.push_back(std::move(x));
        }
    }

} // namespace

std::optional<SesNotification> read_ses_notification(const MimeMessage& message)
{
    for (const MimePart& p : message.parts) {
        if (!p.type.starts_with("text/plain") && p.type != "application/json")
            continue;
        if (p.body.find("notificationType") == std::string::npos)
            continue;
        auto json = json_in(p.body);
        if (!json)
            continue;
        // SNS wraps the notification as a string in "Message".
        if (json->str("notificationType").empty() && !json->str("Message").empty())
            json = parse_json(json->str("Message"));
        if (!json || json->str("notificationType").empty())
            continue;
        SesNotification out;
        out.type = to_lower(json->str("notificationType"));
        if (const JsonValue* b = json->get("bounce")) {
            out.bounce_type = std::string(b->str("bounceType"));
            out.bounce_subtype = std::string(b->str("bounceSubType"));
            read_recipients(b->get("bouncedRecipients"), out, {});
        }
        if (const JsonValue* c = json->get("complaint"))
            read_recipients(c->get("complainedRecipients"), out, c->str("complaintFeedbackType"));
        return out;
    }
    return std::nullopt;
}

std::string ses_reason(std::string_view bounce_type, std::string_view bounce_subtype)
{
    if (bounce_subtype == "MailboxFull")
        return "mailboxfull";
    if (bounce_subtype == "MessageTooLarge")
        return "mesgtoobig";
    if (bounce_subtype == "ContentRejected")
        return "contenterror";
    if (bounce_subtype == "Suppressed" || bounce_subtype == "OnAccountSuppressionList")
        return "suppressed";
    if (bounce_subtype == "NoEmail" && bounce_type == "Permanent")
        return "userunknown";
    return {};
}

} // namespace sendsentry::mail
