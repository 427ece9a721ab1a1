// Every configuration key of every program. Keep each section's keys together
// and in the order README and conf/sendsentry.conf present them.
#include "core/config_keys.hh"

#include <array>

namespace sendsentry::config {
namespace {

    using enum KeyType;
    constexpr std::int64_t day = 86400;

    constexpr std::array keys = {
        // [store]
        KeySpec { "store", "path", path, "/var/lib/sendsentry/sendsentry.db", 0, 0, {},
            "SQLite database shared by all programs (WAL mode)" },
        KeySpec { "store", "busy_timeout", duration, "5s", 0, 600, {},
            "how long a writer waits for a locked database before giving up (could not tell)" },

        // [milter]
        KeySpec { "milter", "socket", string, "unix:/run/sendsentry/milter.sock", 0, 0, {},
            "libmilter socket: unix:PATH or inet:PORT@127.0.0.1" },
        KeySpec { "milter", "socket_owner", string, "", 0, 0, {},
            "user[:group] to give the unix socket so Postfix can connect (empty: leave as created)" },
        KeySpec { "milter", "socket_mode", octal, "0660", 0, 0777, {},
            "permission bits of the unix socket (octal)" },
        KeySpec { "milter", "on_error", choice, "accept", 0, 0, "accept|tempfail",
            "what to do with a message when signing or checking fails internally" },

        // [dkim]
        KeySpec { "dkim", "domain", string, "", 0, 0, {},
            "simple setup: sign mail whose From domain is this domain (or a subdomain)" },
        KeySpec { "dkim", "selector", string, "", 0, 0, {}, "simple setup: selector of the key" },
        KeySpec { "dkim", "key_file", path, "", 0, 0, {}, "simple setup: PEM private key (RSA or Ed25519)" },

        // [spf]
        KeySpec { "spf", "outbound_ips", list, "", 0, 0, {},
            "public addresses this relay sends from, as receivers see them (IPv4 and IPv6)" },

        // [policyd]
        KeySpec { "policyd", "listen", list, "unix:/run/sendsentry/policyd.sock", 0, 0, {},
            "where to listen: unix:PATH, inet:127.0.0.1:PORT, inet:[::1]:PORT" },

        // [bounce]
        KeySpec { "bounce", "soft_bounce_limit", integer, "3", 1, 1000, {},
            "soft bounces within soft_bounce_window that suppress an address" },
        KeySpec { "bounce", "soft_bounce_window", duration, "7d", 60, 365 * day, {},
            "window in which soft bounces are counted" },
        KeySpec { "bounce", "soft_bounce_expiry", duration, "30d", 0, 3650 * day, {},
            "how long a soft-bounce suppression lasts (0: forever)" },

        // [reputation]
        KeySpec { "reputation", "min_volume", integer, "500", 1, 1000000000, {},
            "messages in a window below which rates are not judged" },
        KeySpec { "reputation", "windows", list, "24h 7d", 0, 0, {},
            "rolling windows over which rates are judged (durations; any window may trigger)" },
        KeySpec { "reputation", "warn_hard_bounce_rate", percent, "2%", 0, 1000000, {},
            "hard-bounce rate at which a sender enters the warning state" },
        KeySpec { "reputation", "warn_complaint_rate", percent, "0.1%", 0, 1000000, {},
            "complaint rate at which a sender enters the warning state" },
        KeySpec { "reputation", "suspend_hard_bounce_rate", percent, "8%", 0, 1000000, {},
            "hard-bounce rate at which a sender is suspended" },
        KeySpec { "reputation", "suspend_complaint_rate", percent, "0.3%", 0, 1000000, {},
            "complaint rate at which a sender is suspended" },
    };

} // namespace

std::span<const KeySpec> key_table() noexcept { return keys; }

const KeySpec* find_key(std::string_view section, std::string_view name) noexcept
{
    for (const KeySpec& k : keys)
        if (k.section == section && k.name == name)
            return &k;
    return nullptr;
}

std::string_view to_string(KeyType type) noexcept
{
    switch (type) {
    case string:
        return "string";
    case path:
        return "path";
    case integer:
        return "integer";
    case octal:
        return "octal";
    case boolean:
        return "boolean";
    case duration:
        return "duration";
    case list:
        return "list";
    case percent:
        return "percent";
    case choice:
        return "choice";
    }
    return "?";
}

} // namespace sendsentry::config
