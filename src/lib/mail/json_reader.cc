// Recursive descent over RFC 8259 with a depth cap (hostile nesting) and a
// value-count cap (hostile size); \u escapes become UTF-8.
#include "mail/json_reader.hh"

namespace sendsentry::mail {
namespace {

    constexpr int max_depth = 32;
    constexpr std::size_t max_values = 100000;

    struct Parser {
        std::string_view s;
        std::size_t i = 0;
        std::size_t values = 0;

        void ws()
        {
            while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                ++i;
        }

        static void put_utf8(std::string& out, unsigned int cp)
        {
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xc0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                out += static_cast<char>(0xe0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
                out += static_cast<char>(0xf0 | (cp >> 18));
                out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                out += static_cast<char>(0x80 | (cp & 0x3f));
            }
        }

        bool hex4(unsigned int& v)
        {
            if (i + 4 > s.size())
                return false;
            v = 0;
            for (int k = 0; k < 4; ++k) {
                char c = s[i++];
                v <<= 4;
                if (c >= '0' && c <= '9')
                    v |= static_cast<unsigned int>(c - '0');
                else if (c >= 'a' && c <= 'f')
                    v |= static_cast<unsigned int>(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    v |= static_cast<unsigned int>(c - 'A' + 10);
                else
                    return false;
            }
            return true;
        }

        bool string(std::string& out)
        {
            if (i >= s.size() || s[i] != '"')
                return false;
            ++i;
            while (i < s.size()) {
                char c = s[i++];
                if (c == '"')
                    return true;
                if (c != '\\') {
                    out += c;
                    continue;
                }
                if (i >= s.size())
                    return false;
                char e = s[i++];
                switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                case 'f':
                    out += ' ';
                    break;
                case 'u': {
                    unsigned int cp = 0;
                    if (!hex4(cp))
                        return false;
                    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.size() && s[i] == '\\' && s[i + 1] == 'u') {
                        i += 2;
                        unsigned int lo = 0;
                        if (!hex4(lo) || lo < 0xdc00 || lo > 0xdfff)
                            return false;
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    } else if (cp >= 0xd800 && cp < 0xe000) {
                        cp = '?';
                    }
                    put_utf8(out, cp);
                    break;
                }
                default:
                    out += e;
                }
            }
            return false;
        }

        bool value(JsonValue& v, int depth)
        {
            if (depth > max_depth || ++values > max_values)
                return false;
            ws();
            if (i >= s.size())
                return false;
            char c = s[i];
            if (c == '{') {
                v.kind = JsonValue::Kind::object;
                ++i;
                ws();
                if (i < s.size() && s[i] == '}') {
                    ++i;
                    return true;
                }
                while (true) {
                    ws();
                    std::string key;
                    if (!string(key))
                        return false;
                    ws();
                    if (i >= s.size() || s[i] != ':')
                        return false;
                    ++i;
                    JsonValue member;
                    if (!value(member, depth + 1))
                        return false;
                    v.members.push_back({ std::move(key), std::move(member) });
                    ws();
                    if (i < s.size() && s[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < s.size() && s[i] == '}') {
                        ++i;
                        return true;
                    }
                    return false;
                }
            }
            if (c == '[') {
                v.kind = JsonValue::Kind::array;
                ++i;
                ws();
                if (i < s.size() && s[i] == ']') {
                    ++i;
                    return true;
                }
                while (true) {
                    JsonValue item;
                    if (!value(item, depth + 1))
                        return false;
                    v.items.push_back(std::move(item));
                    ws();
                    if (i < s.size() && s[i] == ',') {
                        ++i;
                        continue;
                    }
                    if (i < s.size() && s[i] == ']') {
                        ++i;
                        return true;
                    }
                    return false;
                }
            }
            if (c == '"') {
                v.kind = JsonValue::Kind::string;
                return string(v.text);
            }
            std::size_t b = i;
            while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n'
                && s[i] != '\r' && s[i] != '\t')
                ++i;
            v.text.assign(s.substr(b, i - b));
            if (v.text == "true" || v.text == "false")
                v.kind = JsonValue::Kind::boolean;
            else if (v.text == "null")
                v.kind = JsonValue::Kind::null;
            else if (!v.text.empty() && (v.text[0] == '-' || (v.text[0] >= '0' && v.text[0] <= '9')))
                v.kind = JsonValue::Kind::number;
            else
                return false;
            return true;
        }
    };

} // namespace

const JsonValue* JsonValue::get(std::string_view name) const noexcept
{
    for (const JsonMember& m : members)
        if (m.name == name)
            return &m.value;
    return nullptr;
}

std::string_view JsonValue::str(std::string_view name) const noexcept
{
    const JsonValue* v = get(name);
    return v && v->kind == Kind::string ? std::string_view(v->text) : std::string_view {};
}

std::optional<JsonValue> parse_json(std::string_view text)
{
    Parser p { text };
    JsonValue v;
    if (!p.value(v, 0))
        return std::nullopt;
    p.ws();
    if (p.i != text.size())
        return std::nullopt;
    return v;
}

} // namespace sendsentry::mail
