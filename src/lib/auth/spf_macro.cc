// RFC 7208 section 7 macros.
#include "auth/spf_macro.hh"

#include "auth/spf_record_syntax.hh"

#include <vector>

namespace sendsentry::auth {
namespace {

    char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

    // RFC 7208 7.3: upper-case macro letters URL-escape (RFC 3986 unreserved kept).
    std::string url_escape(std::string_view s)
    {
        static constexpr char hex[] = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : s) {
            bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                out += char(c);
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            }
        }
        return out;
    }

    std::string transform(std::string_view value, std::size_t keep, bool reverse, std::string_view delimiters)
    {
        if (delimiters.empty())
            delimiters = ".";
        std::vector<std::string_view> parts;
        std::size_t start = 0;
        for (std::size_t i = 0; i <= value.size(); ++i) {
            if (i == value.size() || delimiters.find(value[i]) != std::string_view::npos) {
                parts.emplace_back(value.substr(start, i - start));
                start = i + 1;
            }
        }
        if (reverse)
            std::reverse(parts.begin(), parts.end());
        std::size_t first = (keep > 0 && keep < parts.size()) ? parts.size() - keep : 0;
        std::string out;
        for (std::size_t i = first; i < parts.size(); ++i) {
            if (i > first)
                out += '.';
            out += parts[i];
        }
        return out;
    }

} // namespace

std::string ipv6_nibbles(const unsigned char (&addr)[16])
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i)
            out += '.';
        out += hex[addr[i] >> 4];
        out += '.';
        out += hex[addr[i] & 15];
    }
    return out;
}

std::string truncate_domain(std::string name)
{
    while (name.size() > 253) {
        auto dot = name.find('.');
        if (dot == std::string::npos)
            break;
        name.erase(0, dot + 1);
    }
    return name;
}

Result<std::string> expand_macros(std::string_view text, const MacroContext& ctx, bool explanation)
{
    if (auto err = macro_syntax_error(text, explanation); !err.empty())
        return make_error(ErrorKind::invalid, err);
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] != '%') {
            out += text[i++];
            continue;
        }
        char next = text[i + 1]; // syntax checked: present
        if (next == '%' || next == '_' || next == '-') {
            out += next == '%' ? "%" : next == '_' ? " " : "%20";
            i += 2;
            continue;
        }
        std::size_t j = i + 2; // after "%{"
        char letter = text[j++];
        std::size_t keep = 0;
        while (j < text.size() && text[j] >= '0' && text[j] <= '9')
            keep = keep * 10 + std::size_t(text[j++] - '0');
        bool reverse = false;
        if (lower(text[j]) == 'r') {
            reverse = true;
            ++j;
        }
        std::size_t close = text.find('}', j);
        std::string_view delimiters = text.substr(j, close - j);
        i = close + 1;

        std::string value;
        switch (lower(letter)) {
        case 's':
            value = ctx.local_part + "@" + ctx.sender_domain;
            break;
        case 'l':
            value = ctx.local_part;
            break;
        case 'o':
            value = ctx.sender_domain;
            break;
        case 'd':
            value = ctx.domain;
            break;
        case 'i':
            value = ctx.ip_dotted;
            break;
        case 'p':
            value = ctx.validated_name ? ctx.validated_name() : std::string("unknown");
            break;
        case 'v':
            value = ctx.ipv6 ? "ip6" : "in-addr";
            break;
        case 'h':
            value = ctx.helo;
            break;
        case 'c':
            value = ctx.ip_readable;
            break;
        case 'r':
            value = ctx.receiver.empty() ? std::string("unknown") : ctx.receiver;
            break;
        case 't':
            value = std::to_string(ctx.timestamp);
            break;
        }
        value = transform(value, keep, reverse, delimiters);
        out += (letter >= 'A' && letter <= 'Z') ? url_escape(value) : value;
    }
    return out;
}

} // namespace sendsentry::auth
