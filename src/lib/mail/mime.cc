// MIME reading for bounces (RFC 2045-2047): headers, multipart walking,
// transfer decoding. Everything is bounded by MimeLimits.
#include "mail/mime.hh"

#include "mail/text_util.hh"

#include <array>

namespace sendsentry::mail {
namespace {

    bool name_equals(std::string_view a, std::string_view b) noexcept { return iequals(a, b); }

    struct Walker {
        const MimeLimits& limits;
        MimeMessage& out;

        void entity(std::string_view text, int depth, bool top)
        {
            HeaderList headers;
            std::size_t body_at = parse_header_block(text, headers, limits.max_headers);
            std::string_view body = text.substr(body_at);
            std::string_view ctype_value = headers.get("Content-Type");
            std::string type = ctype_value.empty() ? "text/plain" : content_type_of(ctype_value);
            if (top) {
                out.type = type;
                out.report_type = to_lower(header_parameter(ctype_value, "report-type"));
            }
            if (type.starts_with("multipart/") && depth < limits.max_depth) {
                std::string boundary = header_parameter(ctype_value, "boundary");
                // A boundary parameter on an unindented next line ends the
                // header early; the body still shows the delimiter.
                if (boundary.empty())
                    boundary = guess_boundary(body, boundary);
                if (!boundary.empty()) {
                    if (top)
                        out.headers = headers;
                    multipart(body, boundary, depth);
                    return;
                }
            }
            if (top)
                out.headers = headers;
            leaf(std::move(headers), std::move(type), ctype_value, body, depth);
        }

        void leaf(HeaderList headers, std::string type, std::string_view ctype_value, std::string_view body,
            int depth)
        {
            if (out.parts.size() >= limits.max_parts) {
                out.truncated = true;
                return;
            }
            MimePart part;
            part.type = std::move(type);
            part.charset = to_lower(header_parameter(ctype_value, "charset"));
            std::string cte = to_lower(trim(headers.get("Content-Transfer-Encoding")));
            if (cte == "base64")
                part.body = decode_base64(body);
            else if (cte == "quoted-printable")
                part.body = decode_quoted_printable(body);
            else
                part.body.assign(body);
            part.headers = std::move(headers);
            part.depth = depth;
            bool nested_message = part.type == "message/rfc822" || part.type == "message/global";
            out.parts.push_back(std::move(part));
            // A returned message may itself be multipart (its text is what the
            // original headers are read from, so it is kept whole above).
            if (nested_message && depth + 1 < limits.max_depth) {
                std::string copy = out.parts.back().body;
                HeaderList inner;
                std::size_t at = parse_header_block(copy, inner, limits.max_headers);
                std::string_view ct = inner.get("Content-Type");
                if (content_type_of(ct).starts_with("multipart/")) {
                    std::string boundary = header_parameter(ct, "boundary");
                    if (!boundary.empty())
                        multipart(std::string_view(copy).substr(at), boundary, depth + 2);
                }
            }
        }

        // RFC 2046 section 5.1.1: parts are separated by lines "--boundary",
        // the last by "--boundary--"; the preamble and epilogue are ignored.
        // A boundary parameter that never occurs in the body (a relay rewrote
        // one of them) is replaced by the first "--token" line that repeats.
        static std::string guess_boundary(std::string_view body, const std::string& declared)
        {
            if (!declared.empty() && body.find("--" + declared) != std::string_view::npos)
                return declared;
            std::size_t pos = 0;
            int lines = 0;
            while (pos < body.size() && lines++ < 200) {
                std::size_t eol = body.find('\n', pos);
                std::string_view line
                    = body.substr(pos, eol == std::string_view::npos ? body.npos : eol - pos);
                line = trim(line);
                if (line.size() > 12 && line.size() < 200 && line.starts_with("--")
                    && line.find(' ') == std::string_view::npos) {
                    std::string candidate(line.substr(2));
                    if (body.find("\n--" + candidate, pos + line.size()) != std::string_view::npos)
                        return candidate;
                }
                if (eol == std::string_view::npos)
                    break;
                pos = eol + 1;
            }
            return declared;
        }

        void multipart(std::string_view body, const std::string& declared, int depth)
        {
            std::string boundary = guess_boundary(body, declared);
            std::string delimiter = "--" + boundary;
            std::size_t pos = 0;
            std::size_t part_start = std::string_view::npos;
            while (pos < body.size()) {
                std::size_t eol = body.find('\n', pos);
                std::size_t line_end = eol == std::string_view::npos ? body.size() : eol;
                std::string_view line = body.substr(pos, line_end - pos);
                if (line.starts_with(delimiter)) {
                    std::string_view rest = line.substr(delimiter.size());
                    bool closing = rest.starts_with("--");
                    if (closing || trim(rest).empty()) {
                        if (part_start != std::string_view::npos) {
                            std::size_t end = pos > part_start ? pos - 1 : part_start;
                            entity(body.substr(part_start, end - part_start), depth + 1, false);
                        }
                        if (closing)
                            return;
                        part_start = line_end + 1;
                    }
                }
                if (eol == std::string_view::npos)
                    break;
                pos = eol + 1;
            }
            // No closing delimiter (truncated bounce): keep what we have.
            if (part_start != std::string_view::npos && part_start < body.size())
                entity(body.substr(part_start), depth + 1, false);
        }
    };

    int hex_value(char c) noexcept
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    }

    // RFC 2047 section 2: =?charset?B|Q?text?=
    bool decode_encoded_word(std::string_view word, std::string& out)
    {
        if (!word.starts_with("=?") || !word.ends_with("?="))
            return false;
        std::string_view inner = word.substr(2, word.size() - 4);
        auto q1 = inner.find('?');
        if (q1 == std::string_view::npos || q1 + 2 >= inner.size() || inner[q1 + 2] != '?')
            return false;
        char enc = inner[q1 + 1];
        std::string_view text = inner.substr(q1 + 3);
        if (enc == 'B' || enc == 'b') {
            out += decode_base64(text);
            return true;
        }
        if (enc == 'Q' || enc == 'q') {
            for (std::size_t i = 0; i < text.size(); ++i) {
                char c = text[i];
                if (c == '_')
                    out += ' ';
                else if (c == '=' && i + 2 < text.size() + 0 && hex_value(text[i + 1]) >= 0
                    && hex_value(text[i + 2]) >= 0) {
                    out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
                    i += 2;
                } else
                    out += c;
            }
            return true;
        }
        return false;
    }

} // namespace

std::string_view HeaderList::get(std::string_view name) const noexcept
{
    for (const Header& h : fields_)
        if (name_equals(h.name, name))
            return h.value;
    return {};
}

bool HeaderList::has(std::string_view name) const noexcept
{
    for (const Header& h : fields_)
        if (name_equals(h.name, name))
            return true;
    return false;
}

std::string normalize_line_ends(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    // Copy the runs between CRs whole: most bounces are LF-only or CRLF.
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t cr = raw.find('\r', pos);
        if (cr == std::string_view::npos) {
            out.append(raw.substr(pos));
            break;
        }
        out.append(raw.substr(pos, cr - pos));
        out += '\n';
        pos = cr + 1;
        if (pos < raw.size() && raw[pos] == '\n')
            ++pos;
    }
    return out;
}

std::size_t parse_header_block(std::string_view text, HeaderList& out, std::size_t max_headers)
{
    std::size_t pos = 0;
    std::string name;
    std::string value;
    bool have = false;
    std::size_t count = 0;
    auto flush = [&] {
        if (have && count < max_headers) {
            out.add(std::move(name), decode_rfc2047(trim(value)));
            ++count;
        }
        have = false;
        name.clear();
        value.clear();
    };
    // Mbox "From " envelope line before the header.
    if (text.starts_with("From ")) {
        std::size_t eol = text.find('\n');
        pos = eol == std::string_view::npos ? text.size() : eol + 1;
    }
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        std::size_t line_end = eol == std::string_view::npos ? text.size() : eol;
        std::string_view line = text.substr(pos, line_end - pos);
        std::size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
        if (trim(line).empty()) {
            flush();
            return next;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (have) {
                value += ' ';
                value += trim(line);
            }
        } else {
            auto colon = line.find(':');
            bool valid = colon != std::string_view::npos && colon > 0;
            std::string_view field_name = valid ? trim(line.substr(0, colon)) : std::string_view {};
            valid = valid && !field_name.empty();
            for (char ch : field_name) {
                unsigned char c = static_cast<unsigned char>(ch);
                if (c <= 32 || c >= 127)
                    valid = false;
            }
            if (!valid) {
                // Not a header line: the header ended without an empty line.
                flush();
                return pos;
            }
            flush();
            name.assign(trim(line.substr(0, colon)));
            value.assign(line.substr(colon + 1));
            have = true;
        }
        pos = next;
    }
    flush();
    return text.size();
}

MimeMessage parse_mime(std::string_view raw, const MimeLimits& limits)
{
    MimeMessage out;
    if (raw.size() > limits.max_bytes) {
        raw = raw.substr(0, limits.max_bytes);
        out.truncated = true;
    }
    std::string text = normalize_line_ends(raw);
    Walker walker { limits, out };
    walker.entity(text, 0, true);
    return out;
}

std::string decode_base64(std::string_view in)
{
    static constexpr auto table = [] {
        std::array<signed char, 256> t {};
        t.fill(-1);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        return t;
    }();
    std::string out;
    out.reserve(in.size() * 3 / 4);
    unsigned int acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=')
            break;
        int v = table[static_cast<unsigned char>(c)];
        if (v < 0)
            continue; // whitespace and junk between groups
        acc = (acc << 6) | static_cast<unsigned int>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

std::string decode_quoted_printable(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c != '=') {
            out += c;
            continue;
        }
        if (i + 1 < in.size() && in[i + 1] == '\n') { // soft line break
            ++i;
            continue;
        }
        if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
            continue;
        }
        // "=" followed by trailing blanks then the line end is also soft.
        std::size_t j = i + 1;
        while (j < in.size() && (in[j] == ' ' || in[j] == '\t'))
            ++j;
        if (j < in.size() && in[j] == '\n') {
            i = j;
            continue;
        }
        out += c;
    }
    return out;
}

std::string decode_rfc2047(std::string_view in)
{
    if (in.find("=?") == std::string_view::npos)
        return std::string(in);
    std::string out;
    std::size_t pos = 0;
    bool last_was_word = false;
    while (pos < in.size()) {
        std::size_t start = in.find("=?", pos);
        if (start == std::string_view::npos) {
            out += in.substr(pos);
            break;
        }
        // The end "?=" comes after charset?enc?text.
        std::size_t q1 = in.find('?', start + 2);
        std::size_t q2 = q1 == std::string_view::npos ? q1 : in.find('?', q1 + 1);
        std::size_t end = q2 == std::string_view::npos ? q2 : in.find("?=", q2 + 1);
        if (end == std::string_view::npos) {
            out += in.substr(pos);
            break;
        }
        std::string_view gap = in.substr(pos, start - pos);
        // RFC 2047 section 6.2: white space between adjacent encoded words is dropped.
        if (!(last_was_word && trim(gap).empty()))
            out += gap;
        std::string_view word = in.substr(start, end + 2 - start);
        if (decode_encoded_word(word, out))
            last_was_word = true;
        else {
            out += word;
            last_was_word = false;
        }
        pos = end + 2;
    }
    return out;
}

std::string content_type_of(std::string_view value)
{
    std::string_view t = value.substr(0, value.find(';'));
    return to_lower(trim(t));
}

std::string header_parameter(std::string_view value, std::string_view name)
{
    std::size_t pos = value.find(';');
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos;
        std::size_t eq = value.find('=', pos);
        if (eq == std::string_view::npos)
            return {};
        std::string_view key = trim(value.substr(pos, eq - pos));
        std::size_t vstart = eq + 1;
        while (vstart < value.size() && (value[vstart] == ' ' || value[vstart] == '\t'))
            ++vstart;
        std::string v;
        std::size_t next;
        if (vstart < value.size() && value[vstart] == '"') {
            std::size_t i = vstart + 1;
            while (i < value.size() && value[i] != '"') {
                if (value[i] == '\\' && i + 1 < value.size())
                    ++i;
                v += value[i];
                ++i;
            }
            next = value.find(';', i);
        } else {
            next = value.find(';', vstart);
            v.assign(trim(value.substr(vstart, next == std::string_view::npos ? value.npos : next - vstart)));
        }
        if (iequals(key, name))
            return v;
        pos = next;
    }
    return {};
}

} // namespace sendsentry::mail
