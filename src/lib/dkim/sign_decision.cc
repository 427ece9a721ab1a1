// The sign-or-not rule and CIDR matching.
#include "dkim/sign_decision.hh"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace sendsentry::dkim {
namespace {

    // Text address to 16 bytes; IPv4 and IPv4-mapped IPv6 give family AF_INET
    // in the first 4 bytes, so "::ffff:10.1.2.3" matches 10.0.0.0/8.
    bool to_bytes(std::string_view text, std::array<std::uint8_t, 16>& out, int& family)
    {
        if (text.size() >= INET6_ADDRSTRLEN + 8)
            return false;
        std::string s(text);
        // Postfix writes IPv6 client addresses as "IPv6:..." in some macros.
        if (s.rfind("IPv6:", 0) == 0 || s.rfind("ipv6:", 0) == 0)
            s.erase(0, 5);
        if (!s.empty() && s.front() == '[' && s.back() == ']')
            s = s.substr(1, s.size() - 2);
        out.fill(0);
        if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
            family = AF_INET;
            return true;
        }
        if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1)
            return false;
        static const std::uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        if (std::memcmp(out.data(), mapped, 12) == 0) {
            std::memmove(out.data(), out.data() + 12, 4);
            std::memset(out.data() + 4, 0, 12);
            family = AF_INET;
            return true;
        }
        family = AF_INET6;
        return true;
    }

} // namespace

Result<Network> Network::parse(std::string_view cidr)
{
    Network n;
    n.text_ = std::string(cidr);
    auto slash = cidr.find('/');
    if (!to_bytes(cidr.substr(0, slash), n.bytes_, n.family_))
        return make_error(ErrorKind::invalid, "\"" + n.text_ + "\" is not an address or CIDR block");
    int max = n.family_ == AF_INET ? 32 : 128;
    n.prefix_ = max;
    if (slash != std::string_view::npos) {
        auto digits = cidr.substr(slash + 1);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n.prefix_);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || n.prefix_ < 0
            || n.prefix_ > max)
            return make_error(
                ErrorKind::invalid, "\"" + n.text_ + "\": prefix length must be 0-" + std::to_string(max));
    }
    return n;
}

bool Network::contains(std::string_view address) const noexcept
{
    std::array<std::uint8_t, 16> a {};
    int family = 0;
    if (!to_bytes(address, a, family) || family != family_)
        return false;
    int full = prefix_ / 8, rest = prefix_ % 8;
    if (std::memcmp(a.data(), bytes_.data(), static_cast<std::size_t>(full)) != 0)
        return false;
    if (rest == 0)
        return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[static_cast<std::size_t>(full)] & mask) == (bytes_[static_cast<std::size_t>(full)] & mask);
}

Result<SignPolicy> SignPolicy::from_config(const config::Config& cfg)
{
    std::vector<Network> nets;
    std::string problems;
    for (const std::string& text : cfg.list("milter", "internal_networks")) {
        auto n = Network::parse(text);
        if (!n)
            problems += (problems.empty() ? "" : "; ") + n.error().message;
        else
            nets.push_back(std::move(*n));
    }
    if (!problems.empty())
        return make_error(ErrorKind::invalid, "[milter] internal_networks: " + problems);
    return SignPolicy(
        cfg.boolean("milter", "sign_authenticated"), std::move(nets), cfg.list("milter", "sign_daemons"));
}

SignDecision SignPolicy::decide(const ClientFacts& f) const
{
    if (sign_authenticated_ && (!f.auth_authen.empty() || !f.auth_type.empty()))
        return { true,
            "authenticated user=" + (f.auth_authen.empty() ? std::string("(unnamed)") : f.auth_authen)
                + (f.auth_type.empty() ? "" : " mechanism=" + f.auth_type) };
    for (const Network& n : internal_)
        if (n.contains(f.client_address))
            return { true, "internal network " + n.text() + " client=" + f.client_address };
    for (const std::string& d : daemons_)
        if (!f.daemon_name.empty() && d == f.daemon_name)
            return { true, "daemon " + d };
    return { false,
        "not ours: unauthenticated client="
            + (f.client_address.empty() ? std::string("unknown") : f.client_address)
            + " daemon=" + (f.daemon_name.empty() ? std::string("unknown") : f.daemon_name) };
}

} // namespace sendsentry::dkim
