// RFC 7208 section 7 macro expansion, used for explanation strings (6.2):
// libspf2 1.2.10 leaves exp text half-expanded, so the DNS layer expands it
// here. Also the 7.3 rule that shortens over-long expanded domain names.
#pragma once

#include "core/result.hh"

#include <functional>
#include <string>
#include <string_view>

namespace sendsentry::auth {

struct MacroContext {
    std::string local_part; // %{l}
    std::string sender_domain; // %{o}
    std::string domain; // %{d}: the domain whose record is being evaluated
    std::string ip_dotted; // %{i}: IPv4 dotted quad or IPv6 nibbles joined by dots
    std::string ip_readable; // %{c}
    bool ipv6 = false; // %{v}: "ip6" or "in-addr"
    std::string helo; // %{h}
    std::string receiver; // %{r}
    long long timestamp = 0; // %{t}
    std::function<std::string()> validated_name; // %{p}, looked up only when used
};

// Expands TEXT; EXPLANATION allows c, r, t and spaces. Errors on bad syntax.
[[nodiscard]] Result<std::string> expand_macros(
    std::string_view text, const MacroContext& context, bool explanation);

// RFC 7208 7.3: a name longer than 253 characters loses labels on the left.
std::string truncate_domain(std::string name);

// %{i} for an IPv6 address: 32 lower-case nibbles separated by dots.
std::string ipv6_nibbles(const unsigned char (&addr)[16]);

} // namespace sendsentry::auth
