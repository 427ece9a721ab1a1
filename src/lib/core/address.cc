// Envelope address parsing with RFC 5321 syntax and libidn2 for IDN domains.
#include "core/address.hh"

#include <idn2.h>
#include <memory>

namespace sendsentry {
namespace {

    // RFC 5321 4.5.3.1: local part 64 octets, domain 255, path 256 with brackets.
    constexpr std::size_t max_local = 64;
    constexpr std::size_t max_domain = 255;
    constexpr std::size_t max_path = 256;

    bool is_atext(unsigned char c)
    {
        if (c >= 0x80)
            return true; // RFC 6531 (SMTPUTF8) allows UTF-8 in local parts
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            return true;
        for (char s : std::string_view("!#$%&'*+-/=?^_`{|}~"))
            if (c == static_cast<unsigned char>(s))
                return true;
        return false;
    }

    bool valid_dot_atom(std::string_view s)
    {
        if (s.empty() || s.front() == '.' || s.back() == '.')
            return false;
        char prev = 0;
        for (char c : s) {
            if (c == '.' && prev == '.')
                return false;
            if (c != '.' && !is_atext(static_cast<unsigned char>(c)))
                return false;
            prev = c;
        }
        return true;
    }

    // RFC 5321 Quoted-string: printable ASCII (and UTF-8), with \-escapes.
    bool valid_quoted(std::string_view s)
    {
        if (s.size() < 2 || s.front() != '"' || s.back() != '"')
            return false;
        for (std::size_t i = 1; i + 1 < s.size(); ++i) {
            unsigned char c = s[i];
            if (c == '\\') {
                if (++i + 1 >= s.size())
                    return false;
                c = s[i];
                if (c < 0x20 || c == 0x7f)
                    return false;
            } else if (c == '"' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    // The '@' that separates local part and domain: the last one outside quotes.
    std::size_t find_at(std::string_view s)
    {
        bool quoted = false;
        std::size_t at = std::string_view::npos;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (quoted && s[i] == '\\') {
                ++i;
            } else if (s[i] == '"') {
                quoted = !quoted;
            } else if (!quoted && s[i] == '@') {
                at = i;
            }
        }
        return quoted ? std::string_view::npos : at;
    }

    Error invalid(std::string what) { return make_error(ErrorKind::invalid, std::move(what)); }

    bool valid_ldh_label(std::string_view label)
    {
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (unsigned char c : label)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        return true;
    }

} // namespace

std::string Address::str() const
{
    if (is_null())
        return {};
    return local_ + '@' + domain_;
}

Result<std::string> normalize_domain(std::string_view domain)
{
    if (!domain.empty() && domain.back() == '.')
        domain.remove_suffix(1); // an absolute name means the same domain
    if (domain.empty())
        return invalid("empty domain");
    if (domain.size() > max_domain)
        return invalid("domain longer than 255 octets");
    if (domain.front() == '[') {
        // Address literal (RFC 5321 4.1.3): keep as written, lower-cased tag.
        if (domain.back() != ']' || domain.find_first_of(" \t\r\n") != std::string_view::npos)
            return invalid("malformed address literal");
        std::string lit;
        for (char c : domain)
            lit += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        return lit;
    }
    bool ascii = true;
    for (unsigned char c : domain) {
        if (c >= 0x80)
            ascii = false;
        else if (c < 0x21 || c == 0x7f)
            return invalid("control character or space in domain");
    }
    std::string name;
    if (ascii) {
        for (char c : domain)
            name += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else {
        std::string input(domain);
        char* out = nullptr;
        int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
        if (rc != IDN2_OK)
            return invalid(std::string("invalid international domain: ") + idn2_strerror(rc));
        name = owned.get();
    }
    std::string_view rest(name);
    while (true) {
        auto dot = rest.find('.');
        std::string_view label = rest.substr(0, dot);
        if (!valid_ldh_label(label) && label.substr(0, 1) != "_")
            return invalid("invalid domain label \"" + std::string(label) + "\"");
        if (dot == std::string_view::npos)
            break;
        rest.remove_prefix(dot + 1);
    }
    return name;
}

Result<Address> parse_address(std::string_view text, bool allow_null)
{
    if (text.size() > max_path)
        return invalid("address longer than 256 octets");
    if (!text.empty() && text.front() == '<') {
        if (text.back() != '>' || text.size() < 2)
            return invalid("unbalanced angle brackets");
        text = text.substr(1, text.size() - 2);
        if (!text.empty() && text.front() == '@') {
            // Source route: "@a,@b:" is ignored by receivers (RFC 5321 C).
            auto colon = text.find(':');
            if (colon == std::string_view::npos)
                return invalid("malformed source route");
            text.remove_prefix(colon + 1);
        }
    }
    if (text.empty()) {
        if (allow_null)
            return Address();
        return invalid("empty address");
    }
    auto at = find_at(text);
    if (at == std::string_view::npos)
        return invalid("no @domain in address");
    std::string_view local = text.substr(0, at);
    if (local.empty())
        return invalid("empty local part");
    if (local.size() > max_local)
        return invalid("local part longer than 64 octets");
    if (!(local.front() == '"' ? valid_quoted(local) : valid_dot_atom(local)))
        return invalid("invalid local part \"" + std::string(local) + "\"");
    auto domain = normalize_domain(text.substr(at + 1));
    if (!domain)
        return std::move(domain).error();
    if (domain->back() == ']' || domain->find('.') != std::string::npos || *domain == "localhost")
        return Address(std::string(local), std::move(*domain));
    return invalid("domain \"" + *domain + "\" is not fully qualified");
}

} // namespace sendsentry
