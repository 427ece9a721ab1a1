// RFC 3834 section 5 (Auto-Submitted) plus the headers and subjects that
// common vacation responders use instead.
#include "mail/auto_reply.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {

bool is_auto_reply(const HeaderList& headers)
{
    if (iequals(trim(headers.get("Auto-Submitted")).substr(0, 12), "auto-replied"))
        return true;
    for (std::string_view h :
        { "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply", "X-Vacation" })
        if (headers.has(h))
            return true;
    std::string precedence = to_lower(trim(headers.get("Precedence")));
    if (precedence == "auto_reply")
        return true;
    std::string subject = to_lower(headers.get("Subject"));
    static constexpr std::string_view subjects[] = { "auto:", "auto reply", "auto-reply", "autoreply",
        "automatic reply", "automatische antwort", "out of office", "out of the office", "vacation",
        "abwesenheit", "respuesta automatica", "réponse automatique", "absence" };
    for (std::string_view s : subjects)
        if (subject.find(s) != std::string::npos)
            return true;
    return false;
}

} // namespace sendsentry::mail
