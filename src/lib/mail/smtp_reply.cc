// Scanners for SMTP codes and context in bounce text; each looks at most at
// a bounded prefix of its input.
#include "mail/smtp_reply.hh"

#include "mail/dsn.hh"
#include "mail/text_util.hh"

namespace sendsentry::mail {
namespace {

    // Diagnostic text worth scanning; anything longer is a returned message.
    constexpr std::size_t max_scan = 8 * 1024;

    bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

    bool is_word_char(char c) noexcept
    {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_';
    }

} // namespace

std::vector<std::string> find_status_codes(std::string_view text, std::size_t max)
{
    std::vector<std::string> out;
    text = text.substr(0, max_scan);
    for (std::size_t i = 0; i + 5 <= text.size() && out.size() < max; ++i) {
        char c = text[i];
        if ((c != '2' && c != '4' && c != '5') || text[i + 1] != '.')
            continue;
        if (i > 0 && (is_word_char(text[i - 1]) || text[i - 1] == '-' || text[i - 1] == '/'))
            continue;
        std::string code = valid_status(text.substr(i, 9));
        if (code.empty())
            continue;
        std::size_t end = i + code.size();
        // "5.1.1.2" (an IP or version) is not a status code.
        if (end < text.size()
            && (is_digit(text[end])
                || (text[end] == '.' && end + 1 < text.size() && is_digit(text[end + 1]))))
            continue;
        if (end < text.size() && (is_word_char(text[end]) && text[end] != '.'))
            continue;
        out.push_back(std::move(code));
        i = end;
    }
    return out;
}

std::string find_status_code(std::string_view text)
{
    auto codes = find_status_codes(text, 1);
    return codes.empty() ? std::string() : codes.front();
}

std::string find_reply_code(std::string_view text)
{
    text = text.substr(0, max_scan);
    for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
        char c = text[i];
        if ((c != '4' && c != '5' && c != '2') || !is_digit(text[i + 1]) || !is_digit(text[i + 2]))
            continue;
        if (text[i + 1] > '5')
            continue;
        if (i > 0
            && (is_word_char(text[i - 1]) || text[i - 1] == '-' || text[i - 1] == '#' || text[i - 1] == '/'
                || text[i - 1] == ':' || text[i - 1] == '+' || text[i - 1] == '='))
            continue;
        std::size_t end = i + 3;
        if (end == text.size())
            return std::string(text.substr(i, 3));
        char n = text[end];
        if (n == ' ' || n == '-' || n == '\n' || n == '\t' || n == ']' || n == ')' || n == ',') {
            // "550 5.1.1" or "550 User unknown"; skip "2005 " like years handled above,
            // and sizes such as "500 bytes".
            std::string_view after = trim(text.substr(end + 1, 12));
            if (istarts_with(after, "bytes") || istarts_with(after, "kb") || istarts_with(after, "seconds")
                || istarts_with(after, "minutes") || istarts_with(after, "hours")
                || istarts_with(after, "days"))
                continue;
            return std::string(text.substr(i, 3));
        }
    }
    return {};
}

std::string find_command(std::string_view text)
{
    std::string t = to_lower(text.substr(0, max_scan));
    // A Sendmail transcript: the command is the ">>> " line just before the
    // first error reply ("<<< 550 ...").
    for (std::string_view reply : { "<<< 5", "<<< 4" }) {
        std::size_t err = t.find(reply);
        if (err == std::string::npos)
            continue;
        std::size_t cmd = t.rfind(">>> ", err);
        if (cmd == std::string::npos)
            continue;
        std::string_view verb = std::string_view(t).substr(cmd + 4, 4);
        if (verb == "rcpt")
            return "RCPT";
        if (verb == "mail")
            return "MAIL";
        if (verb == "data" || verb.starts_with("."))
            return "DATA";
        if (verb == "ehlo" || verb == "helo")
            return verb == "ehlo" ? "EHLO" : "HELO";
    }
    struct Marker {
        const char* phrase;
        const char* command;
    };
    static constexpr Marker markers[] = {
        { "in reply to rcpt to", "RCPT" },
        { "after rcpt to", "RCPT" },
        { "rcpt to command", "RCPT" },
        { "in reply to mail from", "MAIL" },
        { "after mail from", "MAIL" },
        { "mail from:", "MAIL" },
        { "in reply to end of data", "DATA" },
        { "after end of data", "DATA" },
        { "in reply to data", "DATA" },
        { "after data", "DATA" },
        { ">>> data", "DATA" },
        { "end of data", "DATA" },
        { "in reply to ehlo", "EHLO" },
        { "in reply to helo", "HELO" },
        { "after ehlo", "EHLO" },
        { "after helo", "HELO" },
        { "after initial connection", "CONN" },
        { "while connected to", "CONN" },
        { "in reply to starttls", "STARTTLS" },
        { "smtp:rcpt", "RCPT" },
        { "did not like our rcpt to", "RCPT" }, // DragonFly dma
        { "smtp command data", "DATA" }, // m-FILTER
        { "does not like recipient", "RCPT" }, // qmail-remote
        { "most progress was rcpt to response", "RCPT" }, // qmail-remote
        { ">>> rcpt", "RCPT" },
    };
    std::size_t best = std::string::npos;
    std::string command;
    for (const Marker& m : markers) {
        std::size_t at = t.find(m.phrase);
        if (at != std::string::npos && (best == std::string::npos || at < best)) {
            best = at;
            command = m.command;
        }
    }
    return command;
}

std::string find_remote_host(std::string_view text)
{
    text = text.substr(0, max_scan);
    std::string lower = to_lower(text);
    static constexpr const char* leads[]
        = { "host ", "while talking to ", "remote host ", "remote-mta: dns;", "server ", "connected to " };
    for (const char* lead : leads) {
        std::size_t at = lower.find(lead);
        while (at != std::string::npos) {
            std::size_t b = at + std::char_traits<char>::length(lead);
            while (b < lower.size() && lower[b] == ' ')
                ++b;
            std::size_t e = b;
            while (e < lower.size() && (is_word_char(lower[e]) || lower[e] == '-' || lower[e] == ':'))
                ++e;
            std::string_view host = std::string_view(lower).substr(b, e - b);
            while (!host.empty() && host.back() == '.')
                host.remove_suffix(1);
            while (!host.empty() && host.back() == ':')
                host.remove_suffix(1);
            if (host.find('.') != std::string_view::npos && host.size() > 3)
                return std::string(host);
            at = lower.find(lead, at + 1);
        }
    }
    return {};
}

} // namespace sendsentry::mail
