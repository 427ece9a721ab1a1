// Provider- and MTA-specific wording (see vendor_rules.hh): each entry is a
// phrase one product uses with one meaning, checked before the generic
// rules so that the SMTP stage or status code cannot reinterpret it.
#include "mail/vendor_rules.hh"

#include "mail/text_util.hh"

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
        { "--------smtp command data", "filtered" }, // m-FILTER
    };

    std::string_view domain_of(std::string_view address)
    {
        auto at = address.rfind('@');
        return at == std::string_view::npos ? std::string_view {} : address.substr(at + 1);
    }

} // namespace

std::string vendor_reason(const ClassifyInput& in, std::string_view notice)
{
    // Google Groups answers a post it refuses (not a member, no such group)
    // with a translated text and no code.
    std::string_view domain = domain_of(in.recipient);
    if (iequals(domain, "googlegroups.com") && in.status.find(".0.0") != std::string_view::npos)
        return "rejected";
    std::string text = to_lower(squeeze_spaces(in.diagnostic.substr(0, 16 * 1024)));
    std::string whole;
    for (const Decisive& d : decisive) {
        if (text.find(d.text) != std::string::npos)
            return std::string(d.reason);
    }
    (void)notice;
    return {};
}

} // namespace sendsentry::mail
