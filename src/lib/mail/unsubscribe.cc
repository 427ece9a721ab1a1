// Recognises unsubscribe requests by where they were sent and how mail
// clients mark them (Apple Mail: X-Apple-Unsubscribe; most: Subject
// "unsubscribe", as RFC 2369 examples suggest).
#include "mail/unsubscribe.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {

bool is_unsubscribe_local_part(std::string_view local_part)
{
    std::string l = to_lower(local_part);
    for (std::string_view prefix : { "unsubscribe", "opt-out", "optout", "unsub" }) {
        if (l == prefix)
            return true;
        if (l.size() > prefix.size() && l.starts_with(prefix)) {
            char sep = l[prefix.size()];
            if (sep == '+' || sep == '-' || sep == '.' || sep == '_' || sep == '=')
                return true;
        }
    }
    return false;
}

std::optional<UnsubscribeRequest> read_unsubscribe(
    const HeaderList& headers, std::string_view envelope_recipient)
{
    std::string target = normalize_recipient(envelope_recipient);
    if (target.empty())
        target = normalize_recipient(find_address(headers.get("To")));
    std::string_view local = std::string_view(target).substr(0, target.find('@'));
    bool to_unsubscribe_address = !target.empty() && is_unsubscribe_local_part(local);
    bool apple = iequals(trim(headers.get("X-Apple-Unsubscribe")), "true");
    std::string subject = to_lower(trim(headers.get("Subject")));
    bool subject_says = subject == "unsubscribe" || subject.starts_with("unsubscribe ");
    // The parser asks only after the DSN and ARF readers found nothing, so a
    // bare "unsubscribe" subject is a person's request, not a bounce.
    if (!apple && !to_unsubscribe_address && !subject_says)
        return std::nullopt;
    std::string from = find_address(headers.get("From"));
    if (from.empty())
        from = find_address(headers.get("Sender"));
    if (from.empty())
        return std::nullopt;
    return UnsubscribeRequest { normalize_recipient(from), target };
}

} // namespace sendsentry::mail
