// RFC 7208 ABNF (section 12) for records and macro strings.
#include "auth/spf_record_syntax.hh"

#include <arpa/inet.h>
#include <cctype>
#include <vector>

namespace sendsentry::auth {
namespace {

    char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
    bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
    bool is_digit(char c) { return c >= '0' && c <= '9'; }
    bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

    bool iequals(std::string_view a, std::string_view b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (lower(a[i]) != lower(b[i]))
                return false;
        return true;
    }

    std::vector<std::string_view> split_terms(std::string_view record)
    {
        std::vector<std::string_view> terms;
        std::size_t i = 0;
        while (i < record.size()) {
            while (i < record.size() && record[i] == ' ')
                ++i;
            std::size_t start = i;
            while (i < record.size() && record[i] != ' ')
                ++i;
            if (i > start)
                terms.push_back(record.substr(start, i - start));
        }
        return terms;
    }

    // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    bool valid_toplabel(std::string_view label)
    {
        if (label.empty() || label.size() > 63)
            return false;
        bool has_alpha = false;
        for (char c : label) {
            if (!is_alnum(c) && c != '-')
                return false;
            has_alpha |= is_alpha(c);
        }
        if (label.find('-') == std::string_view::npos)
            return has_alpha;
        return is_alnum(label.front()) && is_alnum(label.back());
    }

    // macro-expand at TEXT[i] ('%'); advances I past it. ALLOWED letters.
    std::string check_macro(std::string_view text, std::size_t& i, bool explanation)
    {
        if (i + 1 >= text.size())
            return "'%' at the end of a macro string";
        char next = text[i + 1];
        if (next == '%' || next == '_' || next == '-') {
            i += 2;
            return {};
        }
        if (next != '{')
            return "invalid macro escape '%" + std::string(1, next) + "'";
        std::size_t j = i + 2;
        if (j >= text.size())
            return "unterminated macro";
        char letter = lower(text[j]);
        static constexpr std::string_view letters = "slodiphv";
        static constexpr std::string_view exp_letters = "crt";
        if (letters.find(letter) == std::string_view::npos) {
            if (exp_letters.find(letter) == std::string_view::npos)
                return "unknown macro letter '" + std::string(1, text[j]) + "'";
            if (!explanation)
                return "macro letter '" + std::string(1, text[j]) + "' is only allowed in exp text";
        }
        ++j;
        std::size_t digits_start = j;
        while (j < text.size() && is_digit(text[j]))
            ++j;
        if (j > digits_start) {
            std::string_view digits = text.substr(digits_start, j - digits_start);
            // RFC 7208 7.3: the DIGIT transformer must be nonzero.
            if (digits.find_first_not_of('0') == std::string_view::npos)
                return "macro transformer of zero";
            if (digits.size() > 3)
                return "macro transformer too large";
        }
        if (j < text.size() && lower(text[j]) == 'r')
            ++j;
        static constexpr std::string_view delimiters = ".-+,/_=";
        while (j < text.size() && delimiters.find(text[j]) != std::string_view::npos)
            ++j;
        if (j >= text.size() || text[j] != '}')
            return "malformed macro '" + std::string(text.substr(i, j - i + 1)) + "'";
        i = j + 1;
        return {};
    }

    // domain-spec = macro-string domain-end
    std::string check_domain_spec(std::string_view spec)
    {
        if (spec.empty())
            return "empty domain-spec";
        if (auto err = macro_syntax_error(spec, false); !err.empty())
            return err;
        // domain-end: "." toplabel ["."], or a macro-expand that ends the spec.
        std::string_view s = spec;
        if (s.back() == '}') {
            // Ends with a macro-expand: find its '%{' start and confirm it is one.
            std::size_t open = s.rfind("%{");
            if (open != std::string_view::npos && (open == 0 || s[open - 1] != '%'))
                return {};
        }
        if (s.back() == '.')
            s.remove_suffix(1);
        std::size_t dot = s.rfind('.');
        if (dot == std::string_view::npos)
            return "domain-spec '" + std::string(spec) + "' has no top label";
        if (!valid_toplabel(s.substr(dot + 1)))
            return "invalid top label in '" + std::string(spec) + "'";
        return {};
    }

    // "/" ("0" / %x31-39 0*N DIGIT) with a value up to MAX; advances I.
    bool parse_cidr(std::string_view text, std::size_t& i, int max)
    {
        if (i >= text.size() || text[i] != '/')
            return false;
        std::size_t start = ++i;
        while (i < text.size() && is_digit(text[i]))
            ++i;
        std::string_view digits = text.substr(start, i - start);
        if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
            return false;
        return std::stoi(std::string(digits)) <= max;
    }

    // "a" and "mx" arguments: [ ":" domain-spec ] [ dual-cidr-length ]. The
    // domain-spec may itself contain '/' and ':' (macro-literal), so the cidr
    // is taken from the end: "//N" for IPv6, then "/N" for IPv4.
    struct AMxArgs {
        std::string_view domain; // empty: the current domain
        std::string_view cidr4; // digits, or empty
        std::string_view cidr6;
        bool has_domain = false;
        bool ok = false;
    };

    std::string_view take_cidr_suffix(std::string_view& s, std::string_view slash)
    {
        std::size_t pos = s.rfind(slash);
        if (pos == std::string_view::npos)
            return {};
        std::string_view digits = s.substr(pos + slash.size());
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
            return {};
        if (slash.size() == 1 && pos > 0 && s[pos - 1] == '/')
            return {};
        s = s.substr(0, pos);
        return digits;
    }

    AMxArgs split_a_mx(std::string_view rest)
    {
        AMxArgs out;
        out.cidr6 = take_cidr_suffix(rest, "//");
        out.cidr4 = take_cidr_suffix(rest, "/");
        if (!rest.empty()) {
            if (rest[0] != ':')
                return out;
            out.has_domain = true;
            out.domain = rest.substr(1);
        }
        out.ok = true;
        return out;
    }

    bool valid_cidr_digits(std::string_view digits, int max)
    {
        if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
            return false;
        return std::stoi(std::string(digits)) <= max;
    }

    std::string check_a_mx(std::string_view name, std::string_view rest)
    {
        AMxArgs args = split_a_mx(rest);
        if (!args.ok)
            return "unknown mechanism '" + std::string(name) + std::string(rest) + "'";
        if (args.has_domain) {
            if (auto err = check_domain_spec(args.domain); !err.empty())
                return std::string(name) + ": " + err;
        }
        if (!args.cidr4.empty() && !valid_cidr_digits(args.cidr4, 32))
            return std::string(name) + ": invalid ip4 cidr length";
        if (!args.cidr6.empty() && !valid_cidr_digits(args.cidr6, 128))
            return std::string(name) + ": invalid ip6 cidr length";
        return {};
    }

    bool valid_qnum_quad(std::string_view s)
    {
        int parts = 0;
        std::size_t i = 0;
        while (parts < 4) {
            std::size_t start = i;
            while (i < s.size() && is_digit(s[i]))
                ++i;
            std::string_view num = s.substr(start, i - start);
            if (num.empty() || num.size() > 3 || (num.size() > 1 && num[0] == '0')
                || std::stoi(std::string(num)) > 255)
                return false;
            ++parts;
            if (parts < 4) {
                if (i >= s.size() || s[i] != '.')
                    return false;
                ++i;
            }
        }
        return i == s.size();
    }

    std::string check_ip(std::string_view name, std::string_view rest, bool v6)
    {
        if (rest.empty() || rest[0] != ':')
            return std::string(name) + ": missing address";
        std::string_view arg = rest.substr(1);
        std::size_t slash = arg.find('/');
        std::string addr(arg.substr(0, slash));
        if (v6) {
            in6_addr a6;
            if (addr.empty() || ::inet_pton(AF_INET6, addr.c_str(), &a6) != 1)
                return std::string(name) + ": invalid IPv6 network '" + addr + "'";
        } else if (!valid_qnum_quad(addr)) {
            return std::string(name) + ": invalid IPv4 network '" + addr + "'";
        }
        if (slash != std::string_view::npos) {
            std::string_view cidr = arg.substr(slash);
            std::size_t i = 0;
            if (!parse_cidr(cidr, i, v6 ? 128 : 32) || i != cidr.size())
                return std::string(name) + ": invalid cidr length";
        }
        return {};
    }

    std::string check_mechanism(std::string_view term)
    {
        std::size_t n = 0;
        while (n < term.size() && is_alnum(term[n]))
            ++n;
        std::string_view name = term.substr(0, n);
        std::string_view rest = term.substr(n);
        if (iequals(name, "all"))
            return rest.empty() ? std::string() : "invalid 'all' mechanism";
        if (iequals(name, "a") || iequals(name, "mx"))
            return check_a_mx(name, rest);
        if (iequals(name, "ptr")) {
            if (rest.empty())
                return {};
            if (rest[0] != ':')
                return "invalid 'ptr' mechanism";
            if (auto err = check_domain_spec(rest.substr(1)); !err.empty())
                return "ptr: " + err;
            return {};
        }
        if (iequals(name, "ip4"))
            return check_ip(name, rest, false);
        if (iequals(name, "ip6"))
            return check_ip(name, rest, true);
        if (iequals(name, "include") || iequals(name, "exists")) {
            if (rest.empty() || rest[0] != ':')
                return std::string(name) + ": missing domain-spec";
            if (auto err = check_domain_spec(rest.substr(1)); !err.empty())
                return std::string(name) + ": " + err;
            return {};
        }
        return "unknown mechanism '" + std::string(term) + "'";
    }

} // namespace

bool is_spf_record(std::string_view txt) noexcept
{
    constexpr std::string_view version = "v=spf1";
    if (txt.size() < version.size() || !iequals(txt.substr(0, version.size()), version))
        return false;
    return txt.size() == version.size() || txt[version.size()] == ' ';
}

std::string macro_syntax_error(std::string_view text, bool explanation)
{
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '%') {
            if (auto err = check_macro(text, i, explanation); !err.empty())
                return err;
            continue;
        }
        // macro-literal = %x21-24 / %x26-7E; SP only in explain-string.
        if (c < 0x21 || c > 0x7e) {
            if (!(explanation && c == ' '))
                return c >= 0x80 ? "non-ASCII octet" : "control character or space in macro string";
        }
        ++i;
    }
    return {};
}

std::string spf_syntax_error(std::string_view record)
{
    for (unsigned char c : record) {
        if (c == 0)
            return "NUL octet in record";
        if (c >= 0x80)
            return "non-ASCII octet in record (RFC 7208 3.1)";
        if (c < 0x20 || c == 0x7f)
            return "control character in record (terms are separated by spaces only)";
    }
    auto terms = split_terms(record);
    if (terms.empty() || !iequals(terms[0], "v=spf1"))
        return "not an SPF version 1 record";
    int redirects = 0, exps = 0;
    for (std::size_t t = 1; t < terms.size(); ++t) {
        std::string_view term = terms[t];
        // A modifier is name "=" ...; name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
        std::size_t n = 0;
        if (n < term.size() && is_alpha(term[n])) {
            ++n;
            while (
                n < term.size() && (is_alnum(term[n]) || term[n] == '-' || term[n] == '_' || term[n] == '.'))
                ++n;
        }
        if (n > 0 && n < term.size() && term[n] == '=') {
            std::string_view name = term.substr(0, n);
            std::string_view value = term.substr(n + 1);
            if (iequals(name, "redirect")) {
                if (++redirects > 1)
                    return "more than one redirect modifier (RFC 7208 6)";
                if (auto err = check_domain_spec(value); !err.empty())
                    return "redirect: " + err;
            } else if (iequals(name, "exp")) {
                if (++exps > 1)
                    return "more than one exp modifier (RFC 7208 6)";
                if (auto err = check_domain_spec(value); !err.empty())
                    return "exp: " + err;
            } else if (auto err = macro_syntax_error(value, false); !err.empty()) {
                return std::string(name) + ": " + err;
            }
            continue;
        }
        std::string_view mech = term;
        if (!mech.empty() && std::string_view("+-?~").find(mech[0]) != std::string_view::npos)
            mech.remove_prefix(1);
        if (auto err = check_mechanism(mech); !err.empty())
            return err;
    }
    return {};
}

} // namespace sendsentry::auth

namespace sendsentry::auth {

std::string libspf2_form(std::string_view record, bool client_v6)
{
    auto terms = split_terms(record);
    bool has_all = false;
    for (std::size_t t = 1; t < terms.size(); ++t) {
        std::string_view m = terms[t];
        if (!m.empty() && std::string_view("+-?~").find(m[0]) != std::string_view::npos)
            m.remove_prefix(1);
        has_all |= iequals(m, "all");
    }
    std::string out = "v=spf1";
    std::string redirect;
    auto add = [&out](std::string_view term) {
        out += ' ';
        out += term;
    };
    for (std::size_t t = 1; t < terms.size(); ++t) {
        std::string_view term = terms[t];
        std::size_t eq = term.find('=');
        std::size_t colon = term.find(':');
        if (eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon)
            && term.find('/') > eq) {
            std::string_view name = term.substr(0, eq);
            if (iequals(name, "redirect")) {
                // RFC 7208 6.1: ignored when the record has "all"; otherwise
                // it applies after every mechanism, wherever it is written.
                if (!has_all)
                    redirect = term;
            } else if (iequals(name, "exp")) {
                add(term);
            }
            // Unknown modifiers are ignored (RFC 7208 6); libspf2 rejects
            // some legal names, so they are not passed on.
            continue;
        }
        std::string qualifier;
        std::string_view mech = term;
        if (!mech.empty() && std::string_view("+-?~").find(mech[0]) != std::string_view::npos) {
            qualifier = mech[0];
            mech.remove_prefix(1);
        }
        std::size_t n = 0;
        while (n < mech.size() && is_alnum(mech[n]))
            ++n;
        std::string_view name = mech.substr(0, n);
        std::string_view rest = mech.substr(n);
        // libspf2 reads a prefix length of 0 as "none given" (/32, /128), so
        // /0 is written as the two halves of the address space.
        if (iequals(name, "ip4") && rest.size() > 2 && rest.substr(rest.size() - 2) == "/0") {
            add(qualifier + "ip4:0.0.0.0/1");
            add(qualifier + "ip4:128.0.0.0/1");
            continue;
        }
        if (iequals(name, "ip6") && rest.size() > 2 && rest.substr(rest.size() - 2) == "/0") {
            add(qualifier + "ip6:::/1");
            add(qualifier + "ip6:8000::/1");
            continue;
        }
        if (iequals(name, "a") || iequals(name, "mx")) {
            AMxArgs args = split_a_mx(rest);
            std::string domain = args.has_domain ? ":" + std::string(args.domain) : std::string();
            // Only the prefix length of the client's address family matters.
            std::string_view cidr = client_v6 ? args.cidr6 : args.cidr4;
            if (cidr == "0") {
                // A prefix length of 0 matches any address the lookup returns,
                // which libspf2 cannot express: the name carries a marker
                // label and the DNS layer answers with the client's address.
                add(qualifier + std::string(name) + ":" + std::string(cidr0_marker)
                    + (args.has_domain ? std::string(args.domain) : std::string("%{d}")));
                continue;
            }
            std::string suffix;
            if (!cidr.empty())
                suffix = (client_v6 ? "//" : "/") + std::string(cidr);
            add(qualifier + std::string(name) + domain + suffix);
            continue;
        }
        add(term);
    }
    if (!redirect.empty())
        add(redirect);
    return out;
}

} // namespace sendsentry::auth
