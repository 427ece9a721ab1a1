// RFC 5965 section 3.1-3.2: the machine-readable feedback part and the
// returned message; who complained is Original-Rcpt-To, else the returned
// message's recipient header.
#include "mail/arf.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {
namespace {

    // A report naming more complainants than this is not one complaint.
    constexpr std::size_t max_feedback_recipients = 100;

    void add_unique(std::vector<std::string>& list, std::string address)
    {
        if (address.empty() || list.size() >= max_feedback_recipients)
            return;
        for (const std::string& a : list)
            if (iequals(a, address))
                return;
        list.push_back(std::move(address));
    }

    void read_report_fields(std::string_view body, FeedbackReport& out)
    {
        for (std::string_view line : split_lines(body)) {
            auto colon = line.find(':');
            if (colon == std::string_view::npos)
                continue;
            std::string name = to_lower(trim(line.substr(0, colon)));
            std::string_view value = trim(line.substr(colon + 1));
            if (name == "feedback-type")
                out.feedback_type = to_lower(value);
            else if (name == "original-rcpt-to" || name == "removal-recipient")
                add_unique(out.recipients, normalize_recipient(find_address(value)));
            else if (name == "original-mail-from")
                out.original_mail_from = normalize_recipient(find_address(value));
            else if (name == "reported-domain" && out.reported_domain.empty())
                out.reported_domain = to_lower(value);
            else if (name == "source-ip")
                out.source_ip = std::string(value);
        }
    }

    // Recipients named in the returned message's header (message/rfc822 or
    // text/rfc822-headers).
    void read_returned_message(std::string_view text, FeedbackReport& out, bool want_recipients)
    {
        HeaderList headers;
        parse_header_block(text, headers, 200);
        if (out.original_from.empty())
            out.original_from = normalize_recipient(find_address(headers.get("From")));
        if (!want_recipients)
            return;
        // Hotmail JMRP names the complainant in its own header.
        for (std::string_view name : { "X-HmXmrOriginalRecipient", "To", "Delivered-To", "X-Original-To" }) {
            std::string a = find_address(headers.get(name));
            if (!a.empty()) {
                add_unique(out.recipients, normalize_recipient(a));
                return;
            }
        }
    }

    bool is_returned_message(const MimePart& p)
    {
        return p.type == "message/rfc822" || p.type == "text/rfc822-headers" || p.type == "text/rfc822-header"
            || p.type == "message/rfc822-headers";
    }

} // namespace

std::optional<FeedbackReport> read_feedback(const MimeMessage& message)
{
    const MimePart* report = nullptr;
    for (const MimePart& p : message.parts)
        if (p.type == "message/feedback-report") {
            report = &p;
            break;
        }
    bool jmrp = false;
    if (!report) {
        // Microsoft JMRP: multipart/mixed whose returned message carries
        // X-HmXmrOriginalRecipient, sent by staff@hotmail.com.
        for (const MimePart& p : message.parts)
            if (is_returned_message(p) && p.body.find("X-HmXmrOriginalRecipient:") != std::string::npos) {
                jmrp = true;
                break;
            }
        if (!jmrp)
            return std::nullopt;
    }
    FeedbackReport out;
    if (report)
        read_report_fields(report->body, out);
    if (out.feedback_type.empty())
        out.feedback_type = "abuse"; // RFC 5965 3.1 makes it required; JMRP reports are abuse
    bool need = out.recipients.empty();
    for (const MimePart& p : message.parts)
        if (is_returned_message(p)) {
            read_returned_message(p.body, out, need);
            break;
        }
    return out;
}

} // namespace sendsentry::mail
