// Reason rules: the receivers' phrases first (bounce_phrases), then RFC 3463
// codes, then the SMTP command and the DSN action as fallbacks.
#include "mail/bounce_rules.hh"

#include "mail/bounce_phrases.hh"
#include "mail/text_util.hh"

#include <array>
#include <string>

namespace sendsentry::mail {
namespace {

    struct StatusReason {
        std::string_view code; // class digit replaced by 'x'
        std::string_view reason;
    };

    // RFC 3463 / RFC 7372 subject.detail codes that name a cause.
    constexpr StatusReason status_reasons[] = {
        { "x.1.0", "userunknown" },
        { "x.1.1", "userunknown" },
        { "x.1.2", "hostunknown" },
        { "x.1.3", "userunknown" },
        { "x.1.4", "filtered" },
        { "x.1.6", "hasmoved" },
        { "x.1.7", "rejected" },
        { "x.1.8", "rejected" },
        { "x.1.9", "systemerror" },
        { "x.1.10", "notaccept" },
        { "x.2.0", "filtered" },
        { "x.2.1", "suspend" },
        { "x.2.2", "mailboxfull" },
        { "x.2.3", "exceedlimit" },
        { "x.2.4", "filtered" },
        { "x.3.0", "systemerror" },
        { "x.3.1", "systemfull" },
        { "x.3.2", "notaccept" },
        { "x.3.3", "systemerror" },
        { "x.3.4", "mesgtoobig" },
        { "x.3.5", "systemerror" },
        { "x.4.1", "expired" },
        { "x.4.2", "networkerror" },
        { "x.4.3", "systemerror" },
        { "x.4.4", "hostunknown" },
        { "x.4.5", "systemfull" },
        { "x.4.6", "networkerror" },
        { "x.4.7", "expired" },
        { "x.5.3", "toomanyconn" },
        { "x.5.4", "systemerror" },
        { "x.5.5", "systemerror" },
        { "x.5.6", "securityerror" },
        { "x.6.0", "contenterror" },
        { "x.6.1", "contenterror" },
        { "x.6.2", "contenterror" },
        { "x.6.3", "contenterror" },
        { "x.6.5", "contenterror" },
        { "x.6.6", "contenterror" },
        { "x.6.7", "contenterror" },
        { "x.6.8", "contenterror" },
        { "x.6.9", "contenterror" },
        { "x.7.0", "securityerror" },
        { "x.7.1", "securityerror" },
        { "x.7.2", "securityerror" },
        { "x.7.3", "securityerror" },
        { "x.7.4", "securityerror" },
        { "x.7.5", "securityerror" },
        { "x.7.6", "securityerror" },
        { "x.7.7", "securityerror" },
        { "x.7.8", "securityerror" },
        { "x.7.9", "securityerror" },
        { "x.7.10", "securityerror" },
        { "x.7.11", "securityerror" },
        { "x.7.13", "suspend" },
        { "x.7.14", "securityerror" },
        { "x.7.15", "securityerror" },
        { "x.7.16", "mesgtoobig" },
        { "x.7.17", "hasmoved" },
        { "x.7.18", "hasmoved" },
        { "x.7.19", "securityerror" },
        { "x.7.20", "authfailure" },
        { "x.7.21", "authfailure" },
        { "x.7.22", "authfailure" },
        { "x.7.23", "authfailure" },
        { "x.7.24", "authfailure" },
        { "x.7.25", "requireptr" },
        { "x.7.26", "authfailure" },
        { "x.7.27", "notaccept" },
        { "x.7.28", "spamdetected" },
        { "x.7.29", "authfailure" },
        { "x.7.30", "failedstarttls" },
    };
} // namespace

// Multi-line SMTP replies repeat "550-5.7.1" or "550 5.7.1" on every line;
// inside a phrase those prefixes would break it, so all but the first go.
static std::string strip_continuations(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    bool first = true;
    std::size_t i = 0;
    auto digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
    while (i < text.size()) {
        bool at_word = i == 0 || text[i - 1] == ' ';
        if (at_word && digit(i) && digit(i + 1) && digit(i + 2) && i + 3 < text.size()
            && (text[i + 3] == '-' || text[i + 3] == ' ') && digit(i + 4) && i + 5 < text.size()
            && text[i + 5] == '.') {
            std::size_t e = i + 4;
            while (e < text.size() && text[e] != ' ')
                ++e;
            if (!first) {
                i = e < text.size() ? e + 1 : e;
                continue;
            }
            first = false;
        }
        out += text[i];
        ++i;
    }
    return out;
}

std::string reason_from_text(std::string_view diagnostic)
{
    if (diagnostic.empty())
        return {};
    // The parser asks about the same text several times per recipient (the
    // classification and its fallbacks); the phrase scan is the costly part.
    thread_local std::string last_input;
    thread_local std::string last_reason;
    if (diagnostic == last_input)
        return last_reason;
    last_input.assign(diagnostic);
    last_reason
        = scan_phrases(strip_continuations(to_lower(squeeze_spaces(diagnostic.substr(0, max_phrase_scan)))));
    return last_reason;
}

std::string reason_from_status(std::string_view status)
{
    if (status.size() < 5 || (status[0] != '4' && status[0] != '5'))
        return {};
    std::string key = "x";
    key += status.substr(1);
    for (const StatusReason& s : status_reasons)
        if (s.code == key || s.code == status)
            return std::string(s.reason);
    return {};
}

namespace {
    // Whether TEXT holds an SMTP reply about RECIPIENT: "550 <user@example.jp>"
    // or "550 5.1.1 <user@example.jp>" (a reply code just before the address).
    bool reply_names_recipient(std::string_view text, std::string_view recipient)
    {
        if (recipient.empty())
            return false;
        std::string lower = to_lower(text.substr(0, 4096));
        std::string bracketed = "<" + to_lower(recipient) + ">";
        for (std::size_t at = lower.find(bracketed); at != std::string::npos;
             at = lower.find(bracketed, at + 1)) {
            std::size_t from = at > 14 ? at - 14 : 0;
            std::string_view before = std::string_view(lower).substr(from, at - from);
            for (std::size_t i = 0; i + 3 <= before.size(); ++i)
                if ((before[i] == '4' || before[i] == '5')
                    && std::isdigit(static_cast<unsigned char>(before[i + 1]))
                    && std::isdigit(static_cast<unsigned char>(before[i + 2]))
                    && (i == 0 || std::isspace(static_cast<unsigned char>(before[i - 1]))))
                    return true;
        }
        return false;
    }
} // namespace

namespace {
    // "x.y.z" without the class digit (".1.1"), or "" for a short code.
    std::string_view status_tail(std::string_view status)
    {
        return status.size() > 1 ? status.substr(1) : std::string_view {};
    }
} // namespace

std::string classify(const ClassifyInput& in)
{
    if (in.status.starts_with("2."))
        return "delivered";
    std::string by_text = reason_from_text(in.diagnostic);
    std::string by_status = reason_from_status(in.status);

    // "User unknown" outside the RCPT stage is a content or recipient-side
    // filter speaking (docomo and ezweb answer after DATA). An x.1.y code
    // places the refusal at the recipient stage whatever its detail, and so
    // does a reply that names the recipient in brackets ("550 <user@example.jp>:
    // User unknown") even when the notice does not say which command it answered.
    bool recipient_stage = in.command == "RCPT" || status_tail(in.status).starts_with(".1.")
        || (in.command != "DATA" && by_status != "suspend"
            && reply_names_recipient(in.diagnostic, in.recipient));
    // x.2.1 "mailbox disabled" is a suspended account, unless the RCPT reply
    // itself says the user does not exist.
    if (by_status == "suspend" && by_text == "userunknown" && recipient_stage)
        return by_text;

    // A code that names the cause exactly wins over broad wording, unless the
    // wording names a more specific cause (RFC 3463 x.1.1 is used loosely).
    if (by_status == "userunknown") {
        static constexpr std::array overriding = { "mailboxfull", "norelaying", "hasmoved", "suspend",
            "blocked", "rejected", "requireptr", "authfailure", "filtered", "toomanyconn", "speeding" };
        for (const char* r : overriding)
            if (by_text == r)
                return by_text;
        // The notice's own words can name what the code did not ("Your
        // message was rejected: not enough disk space" over a 5.1.1).
        std::string by_notice = reason_from_text(in.notice);
        for (const char* r : { "mailboxfull", "suspend" })
            if (by_notice == r && (by_text.empty() || by_text == "userunknown"))
                return by_notice;
        if (by_text != "userunknown" || status_tail(in.status) != ".1.0")
            return by_status;
    }
    static constexpr std::array specific_codes = { "hostunknown", "mailboxfull", "exceedlimit", "mesgtoobig",
        "suspend", "hasmoved", "rejected", "authfailure", "requireptr", "notaccept", "systemfull",
        "failedstarttls", "spamdetected", "toomanyconn" };
    // A DNS answer that was garbage is not proof that the domain is gone.
    if (by_status == "hostunknown" && by_text == "networkerror")
        return by_text;
    for (const char* r : specific_codes)
        if (by_status == r && by_text != "speeding")
            return by_status;
    // Postfix's bare "Recipient address rejected." names no other cause.
    if (by_text.empty() && by_status.empty()
        && to_lower(in.diagnostic.substr(0, 4096)).find("recipient address rejected") != std::string::npos)
        by_text = "userunknown";
    if (by_text == "userunknown" && !recipient_stage) {
        return "filtered";
    }
    if (!by_text.empty())
        return by_text;
    if (!by_status.empty())
        return by_status;
    if (in.action == "delayed")
        return "expired";
    std::string_view type = in.diagnostic_type;
    if (type == "X-UNIX" || type == "X-POSTFIX")
        return "mailererror";
    if (in.command == "EHLO" || in.command == "HELO" || in.command == "CONN")
        return "blocked";
    if (!in.diagnostic.empty())
        return "onhold";
    return "undefined";
}

bool is_hard(
    std::string_view reason, std::string_view status, std::string_view reply_code, bool status_guessed)
{
    if (reason == "userunknown" || reason == "hostunknown" || reason == "hasmoved")
        return true;
    if (reason == "notaccept") {
        // A domain that takes no mail (null MX, no MX) stays that way; only
        // the receiver's own 4xx answer says to try again.
        if (!reply_code.empty())
            return reply_code[0] == '5';
        return status_guessed || status.starts_with("5");
    }
    return false;
}

bool is_not_failure(std::string_view reason) { return reason == "delivered" || reason == "vacation"; }

} // namespace sendsentry::mail
