// RFC 5322 From parsing: a tokenizer (3.2) and an address-list parser (3.4).
#include "auth/header_from.hh"

#include "core/address.hh"

#include <vector>

namespace sendsentry::auth {
namespace {

    enum class Tok { atom, quoted, literal, special };

    struct Token {
        Tok kind;
        std::string text; // atom text, quoted content (unescaped), literal with brackets, special char
        std::string raw; // as written (quoted strings with quotes)
    };

    bool is_atext(unsigned char c)
    {
        if (c >= 0x80)
            return true; // RFC 6532: UTF-8 in header fields
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return true;
        return std::string_view("!#$%&'*+-/=?^_`{|}~").find(char(c)) != std::string_view::npos;
    }

    bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

    Result<std::vector<Token>> tokenize(std::string_view s)
    {
        std::vector<Token> out;
        std::size_t i = 0;
        while (i < s.size()) {
            char c = s[i];
            if (c == '\0')
                return make_error(ErrorKind::invalid, "NUL in From field");
            if (is_wsp(c)) {
                ++i;
                continue;
            }
            if (c == '(') {
                int depth = 0;
                for (; i < s.size(); ++i) {
                    if (s[i] == '\\') {
                        ++i;
                    } else if (s[i] == '(') {
                        if (++depth > max_comment_depth)
                            return make_error(ErrorKind::invalid, "comments nested too deeply");
                    } else if (s[i] == ')') {
                        if (--depth == 0)
                            break;
                    }
                }
                if (depth != 0)
                    return make_error(ErrorKind::invalid, "unterminated comment");
                ++i;
                continue;
            }
            if (c == '"') {
                Token t { Tok::quoted, {}, "\"" };
                ++i;
                bool closed = false;
                while (i < s.size()) {
                    char q = s[i++];
                    t.raw += q;
                    if (q == '\\' && i < s.size()) {
                        t.raw += s[i];
                        t.text += s[i++];
                    } else if (q == '"') {
                        closed = true;
                        break;
                    } else if (q != '\r' && q != '\n') {
                        t.text += q;
                    }
                }
                if (!closed)
                    return make_error(ErrorKind::invalid, "unterminated quoted string");
                out.push_back(std::move(t));
                continue;
            }
            if (c == '[') {
                std::size_t end = s.find(']', i);
                if (end == std::string_view::npos)
                    return make_error(ErrorKind::invalid, "unterminated domain literal");
                std::string lit(s.substr(i, end - i + 1));
                out.push_back({ Tok::literal, lit, lit });
                i = end + 1;
                continue;
            }
            if (std::string_view("<>@,;:.").find(c) != std::string_view::npos) {
                out.push_back({ Tok::special, std::string(1, c), std::string(1, c) });
                ++i;
                continue;
            }
            if (is_atext(static_cast<unsigned char>(c))) {
                std::size_t start = i;
                while (i < s.size() && is_atext(static_cast<unsigned char>(s[i])))
                    ++i;
                std::string a(s.substr(start, i - start));
                out.push_back({ Tok::atom, a, a });
                continue;
            }
            return make_error(
                ErrorKind::invalid, std::string("unexpected character '") + c + "' in From field");
        }
        return out;
    }

    class Parser {
    public:
        explicit Parser(std::vector<Token> tokens)
            : t_(std::move(tokens))
        {
        }

        // address-list; collects every mailbox (group members included).
        Result<std::vector<HeaderFrom>> address_list()
        {
            std::vector<HeaderFrom> boxes;
            while (pos_ < t_.size()) {
                if (is_special(",")) { // obs-addr-list allows empty elements
                    ++pos_;
                    continue;
                }
                auto st = address(boxes);
                if (!st)
                    return std::move(st).error();
                if (pos_ < t_.size()) {
                    if (!is_special(","))
                        return make_error(ErrorKind::invalid, "expected ',' between addresses");
                    ++pos_;
                }
            }
            return boxes;
        }

    private:
        bool is_special(std::string_view c) const
        {
            return pos_ < t_.size() && t_[pos_].kind == Tok::special && t_[pos_].text == c;
        }

        bool is_word(std::size_t i) const
        {
            return i < t_.size() && (t_[i].kind == Tok::atom || t_[i].kind == Tok::quoted);
        }

        // phrase: words (and obs-phrase dots) before '<' or ':'.
        std::string phrase()
        {
            std::string out;
            while (is_word(pos_) || (pos_ > 0 && is_special("."))) {
                if (t_[pos_].kind == Tok::special) { // obs-phrase "Jane Q. Doe"
                    out += '.';
                    ++pos_;
                    continue;
                }
                if (!out.empty())
                    out += ' ';
                out += t_[pos_].kind == Tok::atom ? decode_encoded_words(t_[pos_].text) : t_[pos_].text;
                ++pos_;
            }
            return out;
        }

        Status address(std::vector<HeaderFrom>& boxes)
        {
            std::size_t start = pos_;
            // Look ahead past a phrase: ':' means a group, '<' a name-addr.
            std::size_t i = pos_;
            while (is_word(i) || (i < t_.size() && t_[i].kind == Tok::special && t_[i].text == "."))
                ++i;
            if (i < t_.size() && t_[i].kind == Tok::special && t_[i].text == ":" && i > start)
                return group(boxes);
            return mailbox(boxes);
        }

        Status group(std::vector<HeaderFrom>& boxes)
        {
            (void)phrase();
            ++pos_; // ':'
            while (pos_ < t_.size() && !is_special(";")) {
                if (is_special(",")) {
                    ++pos_;
                    continue;
                }
                auto st = mailbox(boxes);
                if (!st)
                    return st;
            }
            if (!is_special(";"))
                return make_error(ErrorKind::invalid, "group without ';'");
            ++pos_;
            return {};
        }

        Status mailbox(std::vector<HeaderFrom>& boxes)
        {
            std::size_t i = pos_;
            while (is_word(i) || (i < t_.size() && t_[i].kind == Tok::special && t_[i].text == "."))
                ++i;
            HeaderFrom box;
            if (i < t_.size() && t_[i].kind == Tok::special && t_[i].text == "<") {
                box.display_name = phrase();
                ++pos_; // '<'
                // obs-route: "@a,@b:" before the addr-spec
                if (is_special("@")) {
                    while (pos_ < t_.size() && !is_special(":"))
                        ++pos_;
                    if (!is_special(":"))
                        return make_error(ErrorKind::invalid, "bad route in angle address");
                    ++pos_;
                }
                auto st = addr_spec(box);
                if (!st)
                    return st;
                if (!is_special(">"))
                    return make_error(ErrorKind::invalid, "expected '>' after the address");
                ++pos_;
            } else {
                auto st = addr_spec(box);
                if (!st)
                    return st;
            }
            boxes.push_back(std::move(box));
            return {};
        }

        Status addr_spec(HeaderFrom& box)
        {
            std::string local;
            bool expect_word = true;
            while (pos_ < t_.size() && !is_special("@")) {
                if (expect_word) {
                    if (!is_word(pos_))
                        return make_error(ErrorKind::invalid, "bad local part");
                    local += t_[pos_].raw;
                } else {
                    if (!is_special("."))
                        return make_error(ErrorKind::invalid, "bad local part");
                    local += '.';
                }
                expect_word = !expect_word;
                ++pos_;
            }
            if (local.empty() || expect_word)
                return make_error(ErrorKind::invalid, "address without a local part");
            if (!is_special("@"))
                return make_error(ErrorKind::invalid, "address without '@'");
            ++pos_;
            std::string domain;
            if (pos_ < t_.size() && t_[pos_].kind == Tok::literal) {
                domain = t_[pos_++].text;
            } else {
                expect_word = true;
                while (pos_ < t_.size()) {
                    if (expect_word && t_[pos_].kind == Tok::atom)
                        domain += t_[pos_].text;
                    else if (!expect_word && is_special("."))
                        domain += '.';
                    else
                        break;
                    expect_word = !expect_word;
                    ++pos_;
                }
                if (domain.empty() || expect_word)
                    return make_error(ErrorKind::invalid, "bad domain in address");
            }
            if (domain.front() == '[')
                return make_error(ErrorKind::invalid, "address literal has no DMARC domain: " + domain);
            auto normal = normalize_domain(domain);
            if (!normal)
                return make_error(
                    ErrorKind::invalid, "bad domain '" + domain + "': " + normal.error().message);
            box.local_part = std::move(local);
            box.domain = std::move(*normal);
            return {};
        }

        std::vector<Token> t_;
        std::size_t pos_ = 0;
    };

    int hex_value(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    bool base64_decode(std::string_view in, std::string& out)
    {
        static constexpr std::string_view alphabet
            = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        unsigned buffer = 0;
        int bits = 0;
        for (char c : in) {
            if (c == '=')
                break;
            auto v = alphabet.find(c);
            if (v == std::string_view::npos)
                return false;
            buffer = (buffer << 6) | unsigned(v);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += char((buffer >> bits) & 0xff);
            }
        }
        return true;
    }

    std::string latin1_to_utf8(std::string_view s)
    {
        std::string out;
        for (unsigned char c : s) {
            if (c < 0x80) {
                out += char(c);
            } else {
                out += char(0xc0 | (c >> 6));
                out += char(0x80 | (c & 0x3f));
            }
        }
        return out;
    }

    // One "=?charset?enc?text?=" word; false when it is not one we decode.
    bool decode_word(std::string_view word, std::string& out)
    {
        if (word.size() < 8 || !word.starts_with("=?") || !word.ends_with("?="))
            return false;
        std::string_view inner = word.substr(2, word.size() - 4);
        auto q1 = inner.find('?');
        if (q1 == std::string_view::npos || q1 + 2 >= inner.size() || inner[q1 + 2] != '?')
            return false;
        std::string charset(inner.substr(0, q1));
        for (char& c : charset)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        if (auto star = charset.find('*'); star != std::string::npos) // RFC 2231 language
            charset.resize(star);
        char enc = char(std::tolower(static_cast<unsigned char>(inner[q1 + 1])));
        std::string_view text = inner.substr(q1 + 3);
        std::string bytes;
        if (enc == 'b') {
            if (!base64_decode(text, bytes))
                return false;
        } else if (enc == 'q') {
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '_') {
                    bytes += ' ';
                } else if (text[i] == '=' && i + 2 < text.size() + 0 && hex_value(text[i + 1]) >= 0
                    && hex_value(text[i + 2]) >= 0) {
                    bytes += char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
                    i += 2;
                } else {
                    bytes += text[i];
                }
            }
        } else {
            return false;
        }
        if (charset == "utf-8" || charset == "us-ascii")
            out += bytes;
        else if (charset == "iso-8859-1" || charset == "latin1")
            out += latin1_to_utf8(bytes);
        else
            return false;
        return true;
    }

} // namespace

std::string decode_encoded_words(std::string_view text)
{
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto start = text.find("=?", i);
        if (start == std::string_view::npos) {
            out += text.substr(i);
            break;
        }
        auto end = text.find("?=", start + 2);
        // skip the two inner '?' separators
        auto q1 = text.find('?', start + 2);
        auto q2 = q1 == std::string_view::npos ? q1 : text.find('?', q1 + 1);
        if (q2 != std::string_view::npos)
            end = text.find("?=", q2 + 1);
        if (end == std::string_view::npos) {
            out += text.substr(i);
            break;
        }
        out += text.substr(i, start - i);
        std::string_view word = text.substr(start, end + 2 - start);
        if (!decode_word(word, out))
            out += word;
        i = end + 2;
    }
    return out;
}

Result<HeaderFrom> parse_from_field(std::string_view value)
{
    if (value.size() > max_from_field)
        return make_error(
            ErrorKind::invalid, "From field longer than " + std::to_string(max_from_field) + " octets");
    auto tokens = tokenize(value);
    if (!tokens)
        return std::move(tokens).error();
    Parser parser(std::move(*tokens));
    auto boxes = parser.address_list();
    if (!boxes)
        return std::move(boxes).error();
    if (boxes->empty())
        return make_error(ErrorKind::invalid, "From field has no address");
    if (boxes->size() > 1)
        return make_error(ErrorKind::invalid,
            "From field has " + std::to_string(boxes->size()) + " addresses; DMARC needs exactly one");
    return std::move(boxes->front());
}

Result<HeaderFrom> parse_header_from(std::span<const std::string> fields)
{
    if (fields.empty())
        return make_error(ErrorKind::invalid, "message has no From field");
    if (fields.size() > 1)
        return make_error(ErrorKind::invalid,
            "message has " + std::to_string(fields.size()) + " From fields; RFC 5322 allows exactly one");
    return parse_from_field(fields.front());
}

} // namespace sendsentry::auth
