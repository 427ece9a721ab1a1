// JSON string literals (json.hh).
#include "core/json.hh"

namespace sendsentry {
namespace {

    // Length of the valid UTF-8 sequence at S[I], or 0 when it is not one.
    std::size_t utf8_length(std::string_view s, std::size_t i)
    {
        auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
        unsigned char c = byte(i);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size())
            return 0;
        for (std::size_t k = 1; k < n; ++k)
            if ((byte(i + k) >> 6) != 2)
                return 0;
        if ((n == 2 && c < 0xC2) || (n == 3 && c == 0xE0 && byte(i + 1) < 0xA0)
            || (n == 3 && c == 0xED && byte(i + 1) >= 0xA0) || (n == 4 && c == 0xF0 && byte(i + 1) < 0x90)
            || (n == 4 && (c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90))))
            return 0; // overlong, surrogate, or beyond U+10FFFF
        return n;
    }

} // namespace

std::string json_string(std::string_view text)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        } else if (std::size_t n = utf8_length(text, i); n > 0) {
            out.append(text.substr(i, n));
            i += n;
        } else {
            out += "\\ufffd"; // not UTF-8: JSON text must be
            ++i;
        }
    }
    out += '"';
    return out;
}

} // namespace sendsentry
