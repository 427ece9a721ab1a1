// Provider- and MTA-specific wording (see vendor_rules.hh): each entry is a
// phrase one product uses with one meaning, checked before the generic
// rules so that the SMTP stage or status code cannot reinterpret it.
#include "mail/vendor_rules.hh"

#include "mail/text_util.hh"

#include <algorithm>
#include <span>

namespace sendsentry::mail {
namespace {

    struct Decisive {
        std::string_view text; // lower-case
        std::string_view reason;
    };

    constexpr Decisive decisive[] = {
        { "not listed in domino directory", "userunknown" }, // Lotus Domino
        { "not listed in public name & address book", "userunknown" }, // Lotus Notes
        { "the recipient name is not recognized", "userunknown" }, // Exchange 2003
        { "unknown user:", "userunknown" }, // IMail
        { "invalid final delivery userid", "userunknown" }, // IMail
        { "recipient not found by smtp address lookup", "userunknown" }, // Exchange Online
        { "using the 'send mail as' feature", "rejected" }, // Google Workspace
        { "host network not allowed - https://community.mimecast", "policyviolation" }, // Mimecast
        { "you are not a member of this mailing list", "rejected" }, // fml
        { "duplicated message-id in", "systemerror" }, // fml loop alert
    };

    std::string_view domain_of(std::string_view address)
    {
        auto at = address.rfind('@');
        return at == std::string_view::npos ? std::string_view {} : address.substr(at + 1);
    }

} // namespace

namespace {

    struct Code {
        std::string_view code;
        std::string_view reason;
    };

    // Cox's "AUP#<code>" error codes (cox.com, email error codes page).
    constexpr Code cox_codes[] = { { "CXBL", "blocked" }, { "CXTHRT", "securityerror" },
        { "CXMJ", "securityerror" }, { "CXDNS", "blocked" }, { "CXSNDR", "rejected" },
        { "CXSMTP", "rejected" }, { "CXCNCT", "toomanyconn" }, { "CXMXRT", "toomanyconn" },
        { "CDRBL", "blocked" }, { "IPBL", "blocked" }, { "URLBL", "spamdetected" } };

    // Spectrum's "AUP#<letters><4 digits>" codes (spectrum.net support pages).
    constexpr Code spectrum_codes[] = { { "1000", "blocked" }, { "1010", "rejected" },
        { "1090", "systemerror" }, { "1260", "networkerror" }, { "1500", "rejected" }, { "1520", "rejected" },
        { "1530", "mesgtoobig" }, { "1540", "toomanyconn" }, { "1550", "toomanyconn" },
        { "1560", "policyviolation" }, { "1310", "toomanyconn" } };

    // Orange / La Poste: "OFR005_505", "LPN007_416": the last three digits.
    constexpr Code orange_codes[] = { { "101", "blocked" }, { "102", "blocked" }, { "103", "blocked" },
        { "104", "toomanyconn" }, { "107", "blocked" }, { "305", "securityerror" }, { "401", "blocked" },
        { "402", "securityerror" }, { "403", "rejected" }, { "405", "rejected" }, { "415", "rejected" },
        { "416", "userunknown" }, { "417", "mailboxfull" }, { "418", "userunknown" }, { "420", "suspend" },
        { "421", "rejected" }, { "426", "suspend" }, { "505", "systemerror" }, { "506", "spamdetected" },
        { "510", "blocked" }, { "514", "mesgtoobig" }, { "517", "policyviolation" },
        { "630", "policyviolation" }, { "999", "blocked" } };

    std::string_view lookup(std::span<const Code> table, std::string_view code, bool prefix)
    {
        for (const Code& c : table)
            if (prefix ? code.starts_with(c.code) : code == c.code)
                return c.reason;
        return {};
    }

    bool is_alnum(char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    std::string_view aup_code(std::string_view text)
    {
        auto at = text.find("AUP#");
        if (at == std::string_view::npos)
            return {};
        std::size_t b = at + 4, e = b;
        while (e < text.size() && (is_alnum(text[e]) || text[e] == '-') && e - b < 16)
            ++e;
        return text.substr(b, e - b);
    }

    std::string receiver_code_reason(std::string_view text, std::string_view domain, std::string_view mta)
    {
        auto has = [&](std::string_view d) {
            return domain.ends_with(d) || mta.find(d) != std::string_view::npos;
        };
        if (has("cox.net") || text.find("cox.com") != std::string_view::npos) {
            std::string_view code = aup_code(text);
            if (!code.empty())
                return std::string(lookup(cox_codes, code, true));
        }
        if (has("charter.net") || has("spectrum") || text.find("spectrum.net") != std::string_view::npos) {
            std::string_view code = aup_code(text);
            while (!code.empty() && !(code.front() >= '0' && code.front() <= '9'))
                code.remove_prefix(1);
            if (code.size() >= 4)
                return std::string(lookup(spectrum_codes, code.substr(0, 4), false));
        }
        if (has("orange.fr") || has("wanadoo.fr") || has("laposte.net")) {
            for (std::size_t i = 0; i + 10 <= text.size(); ++i) {
                // Three capitals, three digits or nothing, '_', three digits.
                if (!(text[i] >= 'A' && text[i] <= 'Z'))
                    continue;
                std::string_view rest = text.substr(i);
                std::size_t us = rest.find('_');
                if (us < 3 || us > 6 || us + 4 > rest.size())
                    continue;
                std::string_view digits = rest.substr(us + 1, 3);
                bool ok
                    = std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
                bool head = std::all_of(
                    rest.begin(), rest.begin() + 3, [](char c) { return c >= 'A' && c <= 'Z'; });
                if (ok && head)
                    return std::string(lookup(orange_codes, digits, false));
            }
        }
        return {};
    }

} // namespace

std::string vendor_reason(const ClassifyInput& in, std::string_view notice)
{
    // PowerMTA classifies its own bounces; trust that when the code does not
    // say more (x.0.0).
    if (!in.vendor_category.empty() && in.status.size() > 1 && in.status.substr(1) == ".0.0") {
        static constexpr Decisive categories[] = { { "bad-mailbox", "userunknown" },
            { "bad-domain", "hostunknown" }, { "inactive-mailbox", "suspend" },
            { "quota-issues", "mailboxfull" }, { "message-expired", "expired" },
            { "no-answer-from-host", "networkerror" }, { "policy-related", "policyviolation" },
            { "spam-related", "spamdetected" }, { "routing-errors", "systemerror" } };
        for (const Decisive& c : categories)
            if (in.vendor_category == c.text)
                return std::string(c.reason);
    }
    if (std::string r = receiver_code_reason(in.diagnostic, domain_of(in.recipient), in.remote_mta);
        !r.empty())
        return r;
    // Google Groups answers a post it refuses (not a member, no such group)
    // with a translated text and no code.
    std::string_view domain = domain_of(in.recipient);
    if (iequals(domain, "googlegroups.com") && in.status.find(".0.0") != std::string_view::npos)
        return "rejected";
    std::string text = to_lower(squeeze_spaces(in.diagnostic.substr(0, 8 * 1024)));
    // au (ezweb.ne.jp) answers a suspended address with a lower-case "user
    // unknown"; a missing one gets its capitalised "User unknown".
    if (iequals(domain, "ezweb.ne.jp")
        && (in.diagnostic.find(": user unknown") != std::string_view::npos
            || in.diagnostic.find("550 user unknown") != std::string_view::npos))
        return "suspend";
    // au EZweb lists refused recipients without the receiver's words: its
    // domain filter, unless the words say the user is unknown.
    constexpr std::string_view ezweb
        = "each of the following recipients was rejected by a remote mail server";
    if (text.find(ezweb) != std::string::npos
        || to_lower(notice.substr(0, 8192)).find(ezweb) != std::string::npos) {
        if (reason_from_text(in.diagnostic) != "userunknown")
            return "filtered";
    }
    // These phrases are specific enough to trust anywhere in the notice.
    std::string whole = to_lower(squeeze_spaces(notice.substr(0, 8 * 1024)));
    for (const Decisive& d : decisive) {
        if (text.find(d.text) != std::string::npos || whole.find(d.text) != std::string::npos)
            return std::string(d.reason);
    }
    return {};
}

} // namespace sendsentry::mail
