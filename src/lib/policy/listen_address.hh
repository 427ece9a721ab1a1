// Where sendsentry-policyd listens: "unix:PATH", "inet:127.0.0.1:PORT" or
// "inet:[::1]:PORT" ([policyd] listen). Parsing only; the daemon binds.
#pragma once

#include "core/result.hh"

#include <string>
#include <string_view>

namespace sendsentry::policy {

struct ListenAddress {
    enum class Family { unix_path, ipv4, ipv6 } family = Family::unix_path;
    std::string path; // unix
    std::string host; // inet: the address without brackets
    int port = 0; // inet

    std::string str() const;
};

// A unix socket path must fit sockaddr_un.sun_path (108 bytes on Linux,
// one of them the terminating NUL).
inline constexpr std::size_t max_unix_path = 107;

// Accepts only loopback addresses for inet listeners: the protocol has no
// authentication, so anything else would let strangers ask and count.
[[nodiscard]] Result<ListenAddress> parse_listen_address(std::string_view text);

} // namespace sendsentry::policy
