// The libmilter listening socket: validates "[milter] socket" (unix:PATH,
// local:PATH, inet:PORT@HOST, inet6:PORT@HOST), creates it before privileges
// are dropped, and gives a unix socket the configured owner and mode so
// Postfix (user postfix) can connect — the classic milter setup failure.
#pragma once

#include "core/config.hh"
#include "core/result.hh"

#include <string>

namespace sendsentry::milter {

struct SocketSpec {
    std::string libmilter; // what smfi_setconn takes
    std::string unix_path; // non-empty for a unix socket
};

[[nodiscard]] Result<SocketSpec> parse_socket(const std::string& text);

// smfi_setconn + smfi_opensocket, then owner ("user[:group]") and mode.
[[nodiscard]] Status open_socket(const SocketSpec& spec, const std::string& owner, int mode);

// Becomes USER (initgroups, setgid, setuid) for good; "" does nothing.
[[nodiscard]] Status drop_privileges(const std::string& user);

} // namespace sendsentry::milter
