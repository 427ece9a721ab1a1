// DMARC (RFC 7489) as the receiver will judge an outbound message: policy
// discovery (6.6.3, with the organizational-domain fallback), record parsing
// (6.3) and identifier alignment (3.1) of SPF and DKIM. Used by the outbound
// check and `sendsentry dmarc`.
#pragma once

#include "auth/org_domain.hh"
#include "auth/resolver.hh"
#include "auth/spf.hh"
#include "core/result.hh"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::auth {

struct DmarcRecord {
    std::string policy; // p: none | quarantine | reject
    std::string subdomain_policy; // sp, or empty (then p applies)
    bool strict_spf = false; // aspf=s
    bool strict_dkim = false; // adkim=s
    int percent = 100; // pct
};

// Parses a DMARC TXT record (RFC 7489 6.3/6.4); errors say what is wrong.
[[nodiscard]] Result<DmarcRecord> parse_dmarc_record(std::string_view txt);

enum class DmarcResult { pass, fail, none, temperror, permerror };
const char* to_string(DmarcResult result) noexcept;

struct DmarcInput {
    std::string from_domain; // RFC5322.From domain
    std::string spf_domain; // the domain SPF checked (MAIL FROM, or HELO for <>)
    SpfResult spf = SpfResult::none;
    std::vector<std::string> dkim_domains; // d= of signatures that pass (ours)
};

struct DmarcVerdict {
    DmarcResult result = DmarcResult::temperror;
    std::string from_domain;
    std::string org_domain; // of the From domain
    std::string record_domain; // where the policy was found (_dmarc. omitted)
    std::optional<DmarcRecord> record;
    std::string policy; // the policy that applies: p, or sp for a subdomain
    bool spf_aligned = false;
    bool dkim_aligned = false;
    std::string aligned_dkim_domain;
    std::string reason; // one line: why
};

class DmarcChecker {
public:
    DmarcChecker(Resolver& resolver, const OrgDomains& orgs);

    // Thread-safe; DNS waits end at DEADLINE (temperror).
    DmarcVerdict check(const DmarcInput& input, Deadline deadline) const;

private:
    // found record text, "" when there is no policy, error when DNS failed.
    struct Discovery {
        DnsStatus status = DnsStatus::nodata;
        std::vector<std::string> records;
        std::string reason;
    };
    Discovery lookup(const std::string& domain, Deadline deadline) const;

    Resolver& resolver_;
    const OrgDomains& orgs_;
};

} // namespace sendsentry::auth
