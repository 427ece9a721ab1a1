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
        KeySpec { "milter", "auth_check", boolean, "yes", 0, 0, {},
            "check mail it signs: SPF (only with [spf] outbound_ips) and DMARC alignment, "
            "add Authentication-Results, apply [dmarc] action" },
        KeySpec { "milter", "user", string, "", 0, 0, {},
            "user to run as after opening the socket and reading keys (empty: stay)" },
        KeySpec { "milter", "sign_authenticated", boolean, "yes", 0, 0, {},
            "sign mail from SASL-authenticated clients ({auth_authen} or {auth_type} set)" },
        KeySpec { "milter", "internal_networks", list, "127.0.0.0/8 ::1/128", 0, 0, {},
            "client networks (CIDR) whose mail is signed; local submission arrives as 127.0.0.1" },
        KeySpec { "milter", "sign_daemons", list, "ORIGINATING", 0, 0, {},
            "{daemon_name} values (milter_macro_daemon_name) whose mail is signed" },

        // [dkim]
        KeySpec { "dkim", "domain", string, "", 0, 0, {},
            "simple setup: sign mail whose From domain is this domain (or a subdomain)" },
        KeySpec { "dkim", "selector", string, "", 0, 0, {}, "simple setup: selector of the key" },
        KeySpec { "dkim", "key_file", path, "", 0, 0, {}, "simple setup: PEM private key (RSA or Ed25519)" },
        KeySpec { "dkim", "second_selector", string, "", 0, 0, {},
            "simple setup, dual signing: selector of a second key (e.g. Ed25519 beside RSA)" },
        KeySpec { "dkim", "second_key_file", path, "", 0, 0, {},
            "simple setup, dual signing: PEM private key signing every message a second time" },
        KeySpec { "dkim", "key_table", path, "", 0, 0, {},
            "OpenDKIM KeyTable (file: or plain path); replaces the simple setup" },
        KeySpec { "dkim", "signing_table", path, "", 0, 0, {},
            "OpenDKIM SigningTable: file:PATH (exact lookups) or refile:PATH (wildcards)" },
        KeySpec { "dkim", "multiple_signatures", boolean, "no", 0, 0, {},
            "apply every matching SigningTable entry, not only the first (dual signing)" },
        KeySpec { "dkim", "canonicalization", choice, "relaxed/relaxed", 0, 0,
            "relaxed/relaxed|relaxed/simple|simple/relaxed|simple/simple", "header/body canonicalization" },
        KeySpec { "dkim", "sign_headers", list,
            "From To Cc Subject Date Message-ID MIME-Version Content-Type Content-Transfer-Encoding "
            "Reply-To List-Unsubscribe List-Unsubscribe-Post In-Reply-To References",
            0, 0, {}, "header fields to sign when present (From is always signed)" },
        KeySpec { "dkim", "oversign_headers", list, "From Subject To Date", 0, 0, {},
            "header fields signed once more than present, so none can be added later" },
        KeySpec { "dkim", "min_key_bits", integer, "1024", 1024, 16384, {},
            "refuse RSA keys shorter than this (a warning is logged under 2048)" },
        KeySpec { "dkim", "from_error_action", choice, "accept", 0, 0, "accept|reject|tempfail",
            "a message with no From or several From fields (RFC 6376 8.15) is not signed; then" },

        // [spf]
        KeySpec { "spf", "outbound_ips", list, "", 0, 0, {},
            "public addresses this relay sends from, as receivers see them (IPv4 and IPv6)" },
        KeySpec { "spf", "resolver", string, "127.0.0.1:53", 0, 0, {},
            "recursive DNS server for SPF and DMARC: IP, IP:PORT or [IPv6]:PORT" },
        KeySpec { "spf", "time_limit", duration, "10s", 1, 120, {},
            "hard bound on the SPF and DMARC checks of one message; past it the result is temperror" },
        KeySpec { "spf", "dns_cache_entries", integer, "10000", 0, 1000000, {},
            "DNS answers kept for their TTL (0: no cache)" },

        // [dmarc]
        KeySpec { "dmarc", "authserv_id", string, "", 0, 0, {},
            "authserv-id of our Authentication-Results header (RFC 8601; empty: the host name)" },
        KeySpec { "dmarc", "action", choice, "tag", 0, 0, "accept|tag|tempfail|reject",
            "mail that fails SPF or DMARC alignment: accept, tag (add the header), tempfail or reject" },
        KeySpec { "dmarc", "domain_actions", list, "", 0, 0, {},
            "per sender domain overrides of action: DOMAIN=ACTION, e.g. example.com=reject" },
        KeySpec { "dmarc", "public_suffix_list", path, "", 0, 0, {},
            "Public Suffix List file for organizational domains (empty: libpsl's newest, Debian publicsuffix)" },

        // [policyd]
        KeySpec { "policyd", "listen", list, "unix:/run/sendsentry/policyd.sock", 0, 0, {},
            "where to listen: unix:PATH, inet:127.0.0.1:PORT, inet:[::1]:PORT" },
        KeySpec { "policyd", "socket_owner", string, "", 0, 0, {},
            "user[:group] to give the unix socket so Postfix can connect (empty: leave as created)" },
        KeySpec { "policyd", "socket_mode", octal, "0660", 0, 0777, {},
            "permission bits of the unix socket (octal)" },
        KeySpec { "policyd", "user", string, "", 0, 0, {},
            "user to run as after opening the listeners (empty: stay)" },
        KeySpec { "policyd", "max_connections", integer, "4096", 1, 1000000, {},
            "open client connections beyond which new ones are closed at once (one per smtpd)" },
        KeySpec { "policyd", "idle_timeout", duration, "1h", 1, 7 * day, {},
            "close a connection idle this long (above Postfix's smtpd_policy_service_max_idle)" },
        KeySpec { "policyd", "limit_key", list, "sasl_username sender", 0, 0, {},
            "whom a limit counts: first of sasl_username, sender, sender_domain, client_address present" },
        KeySpec { "policyd", "message_limits", list, "", 0, 0, {},
            "messages per window for every key, e.g. \"100/1m 1000/1h 10000/1d\" (empty: none)" },
        KeySpec { "policyd", "recipient_limits", list, "", 0, 0, {},
            "accepted recipients per window for every key, e.g. \"500/1m 5000/1h\" (empty: none)" },
        KeySpec { "policyd", "limit_overrides", list, "", 0, 0, {},
            "per-key windows KEY:KIND:COUNT/WINDOW, e.g. sender:news@example.com:messages:50000/1d" },
        KeySpec { "policyd", "count_at", choice, "end_of_message", 0, 0, "end_of_message|data",
            "protocol state at which a message and its recipients are counted (once per instance)" },
        KeySpec { "policyd", "persist_interval", duration, "1s", 1, 60, {},
            "rate-limit state is written to the store this often: the most a crash can lose" },
        KeySpec { "policyd", "on_could_not_tell", choice, "close", 0, 0, "close|dunno|defer_if_permit",
            "when the store cannot answer: close (Postfix's default_action), dunno or defer_if_permit" },
        KeySpec { "policyd", "approved_senders_only", boolean, "no", 0, 0, {},
            "only senders approved in the store (address, domain or SASL user) may send" },
        KeySpec { "policyd", "over_limit_reply", string,
            "DEFER_IF_PERMIT 4.7.1 Rate limit {limit} reached for {key}; sending may resume at {retry_at} "
            "(in {retry_in})",
            0, 0, {}, "reply over a rate limit; {limit} {key} {retry_at} {retry_in}" },
        KeySpec { "policyd", "not_approved_reply", string,
            "550 5.7.1 Sender <{sender}> is not an approved sender on this relay", 0, 0, {},
            "reply to a sender not approved; {sender} {sasl_username}" },
        KeySpec { "policyd", "suspended_reply", string,
            "450 4.7.1 Sending for {subject} is suspended since {since}: {reason}", 0, 0, {},
            "reply to a suspended sender; {subject} {since} {reason}" },
        KeySpec { "policyd", "hard_bounce_reply", string,
            "550 5.1.1 Recipient <{recipient}> is suppressed for {scope}: hard bounce on {since}", 0, 0, {},
            "reply to a recipient suppressed by a hard bounce; {recipient} {scope} {since} {detail}" },
        KeySpec { "policyd", "complaint_reply", string,
            "550 5.7.1 Recipient <{recipient}> is suppressed for {scope}: complaint on {since}", 0, 0, {},
            "reply to a recipient who complained; {recipient} {scope} {since} {detail}" },
        KeySpec { "policyd", "unsubscribe_reply", string,
            "550 5.7.1 Recipient <{recipient}> is suppressed for {scope}: unsubscribed on {since}", 0, 0, {},
            "reply to a recipient who unsubscribed; {recipient} {scope} {since} {detail}" },
        KeySpec { "policyd", "soft_bounce_reply", string,
            "450 4.2.0 Recipient <{recipient}> is suppressed for {scope}: repeated soft bounces since {since}",
            0, 0, {}, "reply to a recipient suppressed after soft bounces; {recipient} {scope} {since} {detail}" },
        KeySpec { "policyd", "manual_reply", string,
            "550 5.7.1 Recipient <{recipient}> is suppressed for {scope} by the operator since {since}", 0, 0,
            {}, "reply to a recipient suppressed by hand; {recipient} {scope} {since} {detail}" },

        // [bounce]
        KeySpec { "bounce", "soft_bounce_limit", integer, "3", 1, 1000, {},
            "soft bounces within soft_bounce_window that suppress an address" },
        KeySpec { "bounce", "soft_bounce_window", duration, "7d", 60, 365 * day, {},
            "window in which soft bounces are counted" },
        KeySpec { "bounce", "soft_bounce_expiry", duration, "30d", 0, 3650 * day, {},
            "how long a soft-bounce suppression lasts (0: forever)" },

        // [return_path]
        KeySpec { "return_path", "rewrite", boolean, "no", 0, 0, {},
            "milter: rewrite the envelope sender of mail it signs to PREFIX+TOKEN@SUBDOMAIN.<sender domain>" },
        KeySpec { "return_path", "key_file", path, "", 0, 0, {},
            "secrets for the token's HMAC, one per line: the first signs, all verify (no access for others)" },
        KeySpec { "return_path", "local_prefix", string, "bounces", 0, 0, {},
            "local part before the '+' of the bounce address" },
        KeySpec { "return_path", "subdomain", string, "bounces", 0, 0, {},
            "DNS label in front of the sender domain; needs its own MX and SPF records" },
        KeySpec { "return_path", "max_age", duration, "30d", 3600, 365 * day, {},
            "tokens older than this are refused (bounces and auto-replies may come days late)" },

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
        KeySpec { "reputation", "notify_address", string, "", 0, 0, {},
            "mail every change of a sender's state to this address (empty: log and event only)" },
        KeySpec { "reputation", "sendmail_command", path, "/usr/sbin/sendmail", 0, 0, {},
            "sendmail(1)-compatible program that submits the state-change mail" },
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
