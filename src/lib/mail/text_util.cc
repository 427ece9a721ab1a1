// ASCII helpers for the mail readers; none allocate more than their input.
#include "mail/text_util.hh"

#include <algorithm>

namespace sendsentry::mail {
namespace {

    char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

    bool is_local_char(unsigned char c) noexcept
    {
        if (c >= 0x80)
            return true; // RFC 6531 UTF-8 local parts
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return true;
        // '/' is legal but in bounces it is a file path ("/home/user/.forward").
        std::string_view specials = "!#$%&'*+-=?^_`{|}~.";
        return specials.find(static_cast<char>(c)) != std::string_view::npos;
    }

    // ASCII only: U-label domains are rare in bounces, and taking bytes >= 0x80
    // would glue the punctuation of the text around an address onto it.
    bool is_domain_char(unsigned char c) noexcept
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
            || c == '.' || c == '_';
    }

    // Address candidates are plain dot-atoms; a quoted local part is rare in
    // bounces and not worth a full RFC 5322 parser here.
    std::string address_at(std::string_view text, std::size_t at)
    {
        std::size_t b = at;
        bool quoted = false;
        if (at > 1 && text[at - 1] == '"') {
            // RFC 5321 quoted local part: "john..doe"@example.com
            std::size_t open = text.rfind('"', at - 2);
            if (open != std::string_view::npos && at - open <= 66
                && text.substr(open, at - open).find_first_of(" \t\n<>") == std::string_view::npos) {
                b = open;
                quoted = true;
            }
        }
        while (!quoted && b > 0 && is_local_char(static_cast<unsigned char>(text[b - 1])))
            --b;
        std::size_t e = at + 1;
        if (e < text.size() && text[e] == '[') { // address literal
            std::size_t close = text.find(']', e);
            if (close == std::string_view::npos || close - e > 64)
                return {};
            e = close + 1;
        } else {
            while (e < text.size() && is_domain_char(static_cast<unsigned char>(text[e])))
                ++e;
        }
        std::string_view local = text.substr(b, at - b);
        std::string_view domain = text.substr(at + 1, e - at - 1);
        while (!local.empty() && local.front() == '.')
            local.remove_prefix(1); // a sentence's full stop, not the address
        while (!domain.empty() && (domain.back() == '.' || domain.back() == '-'))
            domain.remove_suffix(1);
        if (local.size() >= 7 && istarts_with(local, "mailto:"))
            local.remove_prefix(7);
        if (local.empty() || local.size() > 128 || domain.empty() || domain.size() > 255)
            return {};
        if (domain.front() != '[' && domain.find('.') == std::string_view::npos)
            return {};
        std::string out(local);
        out += '@';
        out += to_lower(domain);
        return out;
    }

} // namespace

std::string to_lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept
{
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string squeeze_spaces(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = true;
            continue;
        }
        if (space && !out.empty())
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) {
            lines.push_back(text.substr(pos));
            break;
        }
        lines.push_back(text.substr(pos, eol - pos));
        pos = eol + 1;
    }
    return lines;
}

std::string find_address(std::string_view text)
{
    std::size_t at = text.find('@');
    while (at != std::string_view::npos) {
        std::string a = address_at(text, at);
        if (!a.empty())
            return a;
        at = text.find('@', at + 1);
    }
    return {};
}

std::vector<std::string> find_addresses(std::string_view text, std::size_t max)
{
    std::vector<std::string> out;
    std::size_t at = text.find('@');
    while (at != std::string_view::npos && out.size() < max) {
        std::string a = address_at(text, at);
        if (!a.empty() && std::find(out.begin(), out.end(), a) == out.end())
            out.push_back(std::move(a));
        at = text.find('@', at + 1);
    }
    return out;
}

std::string normalize_recipient(std::string_view addr)
{
    addr = trim(addr);
    while (!addr.empty() && (addr.front() == '<' || addr.front() == '\''))
        addr.remove_prefix(1);
    // A leading quote stays only when it opens a quoted local part.
    while (!addr.empty() && addr.front() == '"' && addr.find("\"@") == std::string_view::npos)
        addr.remove_prefix(1);
    while (!addr.empty()
        && (addr.back() == '>' || addr.back() == '"' || addr.back() == '\'' || addr.back() == '.'))
        addr.remove_suffix(1);
    auto at = addr.rfind('@');
    if (at == std::string_view::npos)
        return std::string(addr);
    std::string out(addr.substr(0, at + 1));
    out += to_lower(addr.substr(at + 1));
    return out;
}

std::string printable_utf8(std::string_view s, std::size_t max)
{
    std::string out;
    out.reserve(std::min(s.size(), max));
    std::size_t i = 0;
    while (i < s.size() && out.size() < max) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
            ++i;
            continue;
        }
        int len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
        for (int k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0xc0) == 0x80;
        if (ok) {
            // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
            unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
            if ((len == 2 && c < 0xc2) || (c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)
                || (c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90) || c > 0xf4)
                ok = false;
        }
        if (!ok) {
            out += '?';
            ++i;
            continue;
        }
        if (out.size() + static_cast<std::size_t>(len) > max)
            break;
        out.append(s.substr(i, static_cast<std::size_t>(len)));
        i += static_cast<std::size_t>(len);
    }
    return out;
}

} // namespace sendsentry::mail
