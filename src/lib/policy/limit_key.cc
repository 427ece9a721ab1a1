// Key derivation for rate limits and sender lookups; see limit_key.hh.
#include "policy/limit_key.hh"

#include "core/address.hh"

#include <arpa/inet.h>
#include <cstring>

namespace sendsentry::policy {
namespace {

    std::string lower(std::string_view s)
    {
        std::string out(s.substr(0, max_key_length));
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return out;
    }

    // Postfix sends addresses without angle brackets; hand-written clients
    // sometimes add them.
    std::string_view strip_brackets(std::string_view s)
    {
        if (s.size() >= 2 && s.front() == '<' && s.back() == '>')
            s = s.substr(1, s.size() - 2);
        return s;
    }

    // inet_ntop's canonical text, so "2001:DB8:0::1" and "2001:db8::1" are
    // one key; anything else ("unknown") is kept lower-cased.
    std::string canonical_address(std::string_view text)
    {
        char buf[INET6_ADDRSTRLEN];
        std::string s(text.substr(0, INET6_ADDRSTRLEN));
        unsigned char bin[sizeof(struct in6_addr)];
        if (text.size() < INET6_ADDRSTRLEN) {
            if (inet_pton(AF_INET, s.c_str(), bin) == 1 && inet_ntop(AF_INET, bin, buf, sizeof buf))
                return buf;
            if (inet_pton(AF_INET6, s.c_str(), bin) == 1 && inet_ntop(AF_INET6, bin, buf, sizeof buf))
                return buf;
        }
        return lower(text);
    }

} // namespace

const char* to_string(KeySource source) noexcept
{
    switch (source) {
    case KeySource::sasl_username:
        return "sasl_username";
    case KeySource::sender:
        return "sender";
    case KeySource::sender_domain:
        return "sender_domain";
    case KeySource::client_address:
        return "client_address";
    }
    return "?";
}

Result<KeySource> parse_key_source(std::string_view text)
{
    for (KeySource s :
        { KeySource::sasl_username, KeySource::sender, KeySource::sender_domain, KeySource::client_address })
        if (text == to_string(s))
            return s;
    return make_error(ErrorKind::invalid,
        "\"" + std::string(text) + "\": expected sasl_username, sender, sender_domain or client_address");
}

Result<std::vector<KeySource>> parse_key_sources(const std::vector<std::string>& words)
{
    std::vector<KeySource> out;
    for (const std::string& w : words) {
        auto s = parse_key_source(w);
        if (!s)
            return s.error();
        out.push_back(*s);
    }
    if (out.empty())
        return make_error(ErrorKind::invalid, "expected at least one key source");
    return out;
}

std::string normalized_sender(std::string_view sender)
{
    sender = strip_brackets(sender);
    if (sender.empty())
        return {};
    auto a = parse_address(sender);
    // Lower-case the local part too: for limits, "Alice@" and "alice@" must
    // be one sender, or changing case would reset the quota.
    return lower(a ? std::string_view(a->str()) : sender);
}

std::string sender_domain_of(std::string_view sender)
{
    sender = strip_brackets(sender);
    if (sender.empty())
        return {};
    if (auto a = parse_address(sender))
        return lower(a->domain());
    auto at = sender.rfind('@');
    return at == std::string_view::npos ? std::string() : lower(sender.substr(at + 1));
}

std::string normalized_recipient(std::string_view recipient)
{
    recipient = strip_brackets(recipient);
    auto a = parse_address(recipient);
    return a ? a->str() : lower(recipient);
}

std::optional<std::string> derive_key(KeySource source, const PolicyRequest& request)
{
    switch (source) {
    case KeySource::sasl_username: {
        auto v = request.get("sasl_username");
        if (v.empty())
            return std::nullopt;
        return "sasl:" + lower(v);
    }
    case KeySource::sender: {
        auto v = normalized_sender(request.get("sender"));
        if (v.empty())
            return std::nullopt;
        return "sender:" + v;
    }
    case KeySource::sender_domain: {
        auto v = sender_domain_of(request.get("sender"));
        if (v.empty())
            return std::nullopt;
        return "domain:" + v;
    }
    case KeySource::client_address: {
        auto v = request.get("client_address");
        if (v.empty())
            return std::nullopt;
        return "client:" + canonical_address(v);
    }
    }
    return std::nullopt;
}

std::optional<std::string> derive_limit_key(std::span<const KeySource> sources, const PolicyRequest& request)
{
    for (KeySource s : sources)
        if (auto k = derive_key(s, request))
            return k;
    return std::nullopt;
}

} // namespace sendsentry::policy
