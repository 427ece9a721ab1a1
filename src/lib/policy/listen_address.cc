// Listener address parsing; see listen_address.hh.
#include "policy/listen_address.hh"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>

namespace sendsentry::policy {

std::string ListenAddress::str() const
{
    switch (family) {
    case Family::unix_path:
        return "unix:" + path;
    case Family::ipv4:
        return "inet:" + host + ":" + std::to_string(port);
    case Family::ipv6:
        return "inet:[" + host + "]:" + std::to_string(port);
    }
    return "?";
}

Result<ListenAddress> parse_listen_address(std::string_view text)
{
    auto bad = [&](std::string why) {
        return make_error(ErrorKind::invalid, "\"" + std::string(text) + "\": " + why);
    };
    ListenAddress a;
    if (text.starts_with("unix:")) {
        a.path.assign(text.substr(5));
        if (a.path.empty() || a.path.front() != '/')
            return bad("a unix socket needs an absolute path");
        if (a.path.size() > max_unix_path)
            return bad("unix socket path longer than " + std::to_string(max_unix_path) + " bytes");
        return a;
    }
    if (!text.starts_with("inet:"))
        return bad("expected unix:PATH, inet:127.0.0.1:PORT or inet:[::1]:PORT");
    std::string_view rest = text.substr(5);
    std::string_view port_text;
    if (rest.starts_with("[")) {
        auto close = rest.find("]:");
        if (close == std::string_view::npos)
            return bad("expected inet:[ADDRESS]:PORT");
        a.host.assign(rest.substr(1, close - 1));
        port_text = rest.substr(close + 2);
        a.family = ListenAddress::Family::ipv6;
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos)
            return bad("expected inet:ADDRESS:PORT");
        a.host.assign(rest.substr(0, colon));
        port_text = rest.substr(colon + 1);
        a.family = ListenAddress::Family::ipv4;
    }
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), a.port);
    if (port_text.empty() || ec != std::errc() || p != port_text.data() + port_text.size() || a.port < 1
        || a.port > 65535)
        return bad("port must be between 1 and 65535");
    unsigned char bin[16];
    if (a.family == ListenAddress::Family::ipv4) {
        if (inet_pton(AF_INET, a.host.c_str(), bin) != 1)
            return bad("not an IPv4 address");
        if (bin[0] != 127)
            return bad(
                "only loopback addresses (127.0.0.0/8, ::1): the policy protocol has no authentication");
    } else {
        if (inet_pton(AF_INET6, a.host.c_str(), bin) != 1)
            return bad("not an IPv6 address");
        static const unsigned char loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        if (!std::equal(bin, bin + 16, loopback))
            return bad(
                "only loopback addresses (127.0.0.0/8, ::1): the policy protocol has no authentication");
    }
    return a;
}

} // namespace sendsentry::policy
