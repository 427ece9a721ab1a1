// SPF (RFC 7208) for one sending address and one envelope: libspf2 does the
// evaluation through our DNS layer; this module adds the 4.3 initial checks,
// IPv4-mapped IPv6 clients, the deadline, and maps every libspf2 outcome to
// one of the seven RFC results (never "invalid"). Used by the outbound check
// in the milter and by `sendsentry spf`.
#pragma once

#include "auth/resolver.hh"
#include "auth/spf_dns_layer.hh"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sendsentry::auth {

enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };

const char* to_string(SpfResult result) noexcept;
std::optional<SpfResult> parse_spf_result(std::string_view word) noexcept;

struct SpfQuery {
    std::string ip; // the address receivers see (IPv4, IPv6 or IPv4-mapped IPv6)
    std::string mail_from; // the MAIL FROM address; empty for the null sender
    std::string helo; // the HELO/EHLO name; the identity for the null sender
};

struct SpfVerdict {
    SpfResult result = SpfResult::temperror;
    std::string domain; // the domain whose record was evaluated
    std::string identity; // "mailfrom" or "helo" (RFC 8601 smtp.mailfrom / smtp.helo)
    std::string explanation; // fail: the domain's exp= text or our default
    std::string reason; // one line saying why, for logs and the CLI
    int dns_terms = 0;
    int void_lookups = 0;
};

struct SpfOptions {
    // Hard bound on one evaluation, DNS waits included (temperror after it).
    std::chrono::milliseconds time_limit { 10000 };
    // %{r} in explanations (RFC 7208 7.3): the receiving host's name.
    std::string receiver = "unknown";
    // Used when a fail has no exp= (RFC 7208 6.2); macros allowed.
    std::string default_explanation = "%{d} does not designate %{i} as permitted sender";
    SpfLimits limits;
};

// Installs our handlers for libspf2's log hooks (once per process).
void install_spf_log_hooks();

class SpfChecker {
public:
    SpfChecker(Resolver& resolver, SpfOptions options);

    // Evaluates QUERY within options.time_limit. Thread-safe.
    SpfVerdict check(const SpfQuery& query) const;
    // Same, with the caller's deadline (a per-message bound shared with DMARC).
    SpfVerdict check(const SpfQuery& query, Deadline deadline) const;

private:
    SpfVerdict evaluate(const SpfQuery& query, std::string_view domain, std::string_view sender,
        Deadline deadline, SpfVerdict verdict) const;

    Resolver& resolver_;
    SpfOptions options_;
};

} // namespace sendsentry::auth
