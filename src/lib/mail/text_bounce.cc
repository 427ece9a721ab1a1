// Vendor-text bounce reading: where the returned message starts, which
// addresses are the failed recipients, and which lines talk about each.
#include "mail/text_bounce.hh"

#include "mail/text_util.hh"

#include <algorithm>

namespace sendsentry::mail {
namespace {

    // A bounce explaining more recipients than this is a list expansion;
    // the rest is not worth the time.
    constexpr std::size_t max_text_recipients = 200;
    // Lines of text kept as one recipient's diagnostic.
    constexpr std::size_t max_block_lines = 40;

    // Lines that introduce the returned original message (lower-case).
    constexpr std::string_view separators[] = {
        "this is a copy of the message",
        "below this line is a copy of the message",
        "original message follows",
        "----- original message",
        "-----original message-----",
        "original message ---",
        "unsent message follows",
        "message text follows",
        "original message headers",
        "original message header",
        "content-type: message/rfc822",
        "content-type: text/rfc822-headers",
        "following is a copy of the message",
        "copy of the original message",
        "the header of the original message",
        "message header follows",
        "headers of the original message",
        "original message:",
        "----- message header",
        "------ original message",
        "--- original message",
        "returned message follows",
        "undelivered message headers",
        "undelivered message follows",
        "the message you sent",
        "----- the following is your message",
        "included below is the first",
        "rfc822 message follows",
        "orginal message follows",
        "------ your message",
    };

    bool is_separator(std::string_view lower_line)
    {
        for (std::string_view s : separators)
            if (lower_line.find(s) != std::string_view::npos)
                return true;
        return false;
    }

    bool starts_header_block(std::string_view line)
    {
        return line.starts_with("Return-Path: ") || line.starts_with("Received: from ")
            || line.starts_with("Received: by ") || line.starts_with("DKIM-Signature: ");
    }

    bool is_system_local(std::string_view address)
    {
        std::string local = to_lower(address.substr(0, address.find('@')));
        return local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon" || local == "root"
            || local.starts_with("mailer-daemon") || local == "noreply" || local == "no-reply";
    }

    bool ignored(const std::string& address, const std::vector<std::string>& ignore)
    {
        for (const std::string& i : ignore)
            if (iequals(i, address))
                return true;
        return false;
    }

    std::string_view strip_leading_marks(std::string_view t)
    {
        t = trim(t);
        while (!t.empty()
            && (t.front() == '<' || t.front() == '"' || t.front() == '\'' || t.front() == '*'
                || t.front() == '-' || t.front() == '(' || t.front() == '[' || t.front() == '='))
            t.remove_prefix(1);
        return t;
    }

    bool starts_with_address(std::string_view line, std::string_view address)
    {
        return istarts_with(strip_leading_marks(line), address);
    }

    // "For further assistance, please contact <support@example.net>".
    bool is_contact_line(std::string_view line)
    {
        std::string lower = to_lower(line);
        return lower.find("contact") != std::string::npos || lower.find("assistance") != std::string::npos
            || lower.find("send mail to") != std::string::npos || lower.find("reply-to") != std::string::npos;
    }

    // Whether ADDRESS on LINE is said to be a recipient: the line starts with
    // it, or the words around it say so.
    bool strong_context(std::string_view line, std::string_view address)
    {
        std::string_view t = strip_leading_marks(line);
        if (istarts_with(t, address))
            return true;
        // Sendmail: "550 <user@example.com>... User unknown".
        if (t.size() > 5 && t[0] >= '2' && t[0] <= '5' && t[3] == ' ' && t[4] == '<'
            && istarts_with(t.substr(5), address))
            return true;
        std::string lower = to_lower(line);
        if (lower.find("mail from") != std::string::npos && lower.find("rcpt") == std::string::npos)
            return false;
        static constexpr std::string_view cues[] = { "rcpt to", "recipient", "failed", "delivered to",
            "deliver to", "delivery to", "could not be delivered", "couldn't be delivered", "undeliverable",
            "deliver your message to", "not delivered", "unknown", "address:", "addressee", "user ",
            "mailbox", "destinataire", "to: ", "to:<", "invalid", "rejected", "bounced", "message to",
            "mailing list", "duplicated message-id in" };
        for (std::string_view c : cues)
            if (lower.find(c) != std::string::npos)
                return true;
        return false;
    }

    struct Hit {
        std::string address;
        std::size_t line;
        bool strong;
    };

} // namespace

std::string_view strip_returned_message(std::string_view text)
{
    std::size_t pos = 0;
    bool seen_text = false;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        std::size_t end = eol == std::string_view::npos ? text.size() : eol;
        std::string_view line = text.substr(pos, end - pos);
        if (line.size() < 200) {
            std::string lower = to_lower(line);
            if (seen_text && (is_separator(lower) || starts_header_block(line)))
                return text.substr(0, pos);
        }
        if (!trim(line).empty())
            seen_text = true;
        if (eol == std::string_view::npos)
            break;
        pos = eol + 1;
    }
    return text;
}

std::vector<TextFailure> read_text_bounce(std::string_view text, const std::vector<std::string>& ignore)
{
    std::vector<std::string_view> lines = split_lines(text);
    // An address offered for help anywhere ("please contact <support@...>")
    // is not a recipient anywhere else either.
    std::vector<std::string> contacts;
    for (std::string_view line : lines)
        if (line.size() < 2000 && line.find('@') != std::string_view::npos && is_contact_line(line))
            for (std::string& a : find_addresses(line, 4))
                contacts.push_back(normalize_recipient(a));
    std::vector<Hit> hits;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].size() > 2000 || lines[i].find('@') == std::string_view::npos)
            continue;
        for (std::string& a : find_addresses(lines[i], 16)) {
            std::string norm = normalize_recipient(a);
            if (is_system_local(norm) || ignored(norm, contacts))
                continue;
            // The bounce's own addresses are not recipients, unless the line
            // is about them alone ("<user@example.com>:" in qmail).
            if (ignored(norm, ignore) && !starts_with_address(lines[i], a))
                continue;
            hits.push_back({ std::move(norm), i, strong_context(lines[i], a) });
        }
        if (hits.size() > 4 * max_text_recipients)
            break;
    }
    bool any_strong = std::any_of(hits.begin(), hits.end(), [](const Hit& h) { return h.strong; });

    // Recipients in order of their first (strong) mention.
    std::vector<Hit> firsts;
    for (const Hit& h : hits) {
        if (any_strong && !h.strong)
            continue;
        bool seen = std::any_of(
            firsts.begin(), firsts.end(), [&](const Hit& f) { return iequals(f.address, h.address); });
        if (!seen && firsts.size() < max_text_recipients)
            firsts.push_back(h);
    }

    std::vector<TextFailure> out;
    for (std::size_t k = 0; k < firsts.size(); ++k) {
        std::size_t from = firsts[k].line;
        std::size_t to = k + 1 < firsts.size() ? firsts[k + 1].line : lines.size();
        if (to <= from)
            to = from + 1;
        to = std::min(to, from + max_block_lines);
        std::string block;
        bool said_something = false; // a line beyond the address itself
        for (std::size_t i = from; i < to; ++i) {
            std::string_view line = lines[i];
            if (trim(line).empty()) {
                if (said_something)
                    break; // the paragraph about this recipient ended
                block += '\n';
                continue;
            }
            block += line;
            block += '\n';
            if (i == from) {
                // Sendmail "550 <user@example.com>... User unknown" is
                // complete in itself; the next line is about someone else.
                std::string_view t = trim(line);
                if (t.size() > 5 && t[3] == ' ' && t[4] == '<' && t[0] >= '4' && t[0] <= '5')
                    break;
                std::string_view rest = strip_leading_marks(line);
                rest.remove_prefix(std::min(rest.size(), firsts[k].address.size()));
                said_something = trim(rest).size() > 3;
            } else {
                said_something = true;
            }
        }
        out.push_back({ firsts[k].address, std::move(block) });
    }
    return out;
}

bool looks_like_bounce(std::string_view from, std::string_view subject, std::string_view text)
{
    std::string f = to_lower(from);
    std::string s = to_lower(subject);
    static constexpr std::string_view senders[]
        = { "mailer-daemon", "postmaster", "mail delivery", "mail-daemon", "mailerdaemon",
              "delivery subsystem", "mdaemon", "mail administrator", "system administrator" };
    for (std::string_view x : senders)
        if (f.find(x) != std::string::npos)
            return true;
    static constexpr std::string_view subjects[]
        = { "undeliver", "undelivered", "delivery status notification", "failure notice",
              "mail delivery failed", "returned mail", "delivery failure", "delivery failed", "non-delivery",
              "nondeliverable", "non delivery", "could not be delivered", "not delivered", "delivery problem",
              "mail system error", "rejected", "warning: could not send", "delivery notification",
              "unable to deliver", "bounce", "permanent error", "mail failure", "error sending message",
              "message delivery has failed", "delivery report", "undeliverable", "failed delivery",
              "nicht zustellbar", "not member", "loop alert" }; // the last two: fml mailing-list refusals
    for (std::string_view x : subjects)
        if (s.find(x) != std::string::npos)
            return true;
    std::string t = to_lower(text.substr(0, 8192));
    static constexpr std::string_view bodies[] = { "could not be delivered", "couldn't be delivered",
        "was not delivered", "delivery has failed", "permanent error", "undeliverable",
        "delivery to the following", "unable to deliver", "mail delivery failed", "returned to sender",
        "failed recipient", "rcpt to:", "error message below" };
    for (std::string_view x : bodies)
        if (t.find(x) != std::string::npos)
            return true;
    return false;
}

} // namespace sendsentry::mail
