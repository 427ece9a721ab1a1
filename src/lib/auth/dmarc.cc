// DMARC policy discovery, record parsing and alignment.
#include "auth/dmarc.hh"

#include "core/trim.hh"

namespace sendsentry::auth {
namespace {

    std::string lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
        return out;
    }

    bool is_policy(std::string_view p) { return p == "none" || p == "quarantine" || p == "reject"; }

    // RFC 7489 6.6.3 step 2: records that begin with "v=DMARC1".
    bool is_dmarc_record(std::string_view txt)
    {
        txt = trim(txt);
        if (!txt.starts_with("v"))
            return false;
        auto semi = txt.find(';');
        std::string_view first = trim(txt.substr(0, semi));
        auto eq = first.find('=');
        return eq != std::string_view::npos && trim(first.substr(0, eq)) == "v"
            && trim(first.substr(eq + 1)) == "DMARC1";
    }

} // namespace

const char* to_string(DmarcResult result) noexcept
{
    switch (result) {
    case DmarcResult::pass:
        return "pass";
    case DmarcResult::fail:
        return "fail";
    case DmarcResult::none:
        return "none";
    case DmarcResult::temperror:
        return "temperror";
    case DmarcResult::permerror:
        return "permerror";
    }
    return "temperror";
}

Result<DmarcRecord> parse_dmarc_record(std::string_view txt)
{
    // A DMARC record is a few hundred octets; refuse absurd ones.
    constexpr std::size_t max_record = 4096;
    if (txt.size() > max_record)
        return make_error(ErrorKind::invalid, "record longer than " + std::to_string(max_record) + " octets");
    DmarcRecord rec;
    bool first = true, have_p = false, have_rua = false;
    std::size_t pos = 0;
    while (pos <= txt.size()) {
        std::size_t semi = txt.find(';', pos);
        std::string_view part
            = trim(txt.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
        pos = semi == std::string_view::npos ? txt.size() + 1 : semi + 1;
        if (part.empty()) {
            if (first)
                return make_error(ErrorKind::invalid, "record does not start with v=DMARC1");
            continue;
        }
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            return make_error(ErrorKind::invalid, "'" + std::string(part) + "' is not tag=value");
        std::string tag = lower(trim(part.substr(0, eq)));
        std::string_view value = trim(part.substr(eq + 1));
        if (first) {
            if (tag != "v" || value != "DMARC1")
                return make_error(ErrorKind::invalid, "record does not start with v=DMARC1");
            first = false;
            continue;
        }
        std::string v = lower(value);
        if (tag == "p") {
            if (!is_policy(v))
                return make_error(
                    ErrorKind::invalid, "p=" + std::string(value) + " is not none, quarantine or reject");
            rec.policy = v;
            have_p = true;
        } else if (tag == "sp") {
            if (!is_policy(v))
                return make_error(
                    ErrorKind::invalid, "sp=" + std::string(value) + " is not none, quarantine or reject");
            rec.subdomain_policy = v;
        } else if (tag == "adkim" || tag == "aspf") {
            if (v != "r" && v != "s")
                return make_error(ErrorKind::invalid, tag + "=" + std::string(value) + " is not r or s");
            (tag == "adkim" ? rec.strict_dkim : rec.strict_spf) = v == "s";
        } else if (tag == "pct") {
            if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos
                || std::stoi(v) > 100)
                return make_error(ErrorKind::invalid, "pct=" + std::string(value) + " is not 0..100");
            rec.percent = std::stoi(v);
        } else if (tag == "rua") {
            have_rua = !value.empty();
        }
        // ruf, fo, rf, ri and unknown tags do not change the verdict (6.3: unknown tags are ignored).
    }
    if (first)
        return make_error(ErrorKind::invalid, "empty record");
    if (!have_p) {
        // RFC 7489 6.6.3 step 6: without p=, a record with rua= acts as p=none.
        if (!have_rua)
            return make_error(ErrorKind::invalid, "p= is missing");
        rec.policy = "none";
    }
    return rec;
}

DmarcChecker::DmarcChecker(Resolver& resolver, const OrgDomains& orgs)
    : resolver_(resolver)
    , orgs_(orgs)
{
}

DmarcChecker::Discovery DmarcChecker::lookup(const std::string& domain, Deadline deadline) const
{
    Discovery d;
    DnsAnswer a = resolver_.query("_dmarc." + domain, RrType::txt, deadline);
    d.status = a.status;
    d.reason = a.reason;
    for (const DnsRecord& r : a.records)
        if (is_dmarc_record(r.data))
            d.records.push_back(r.data);
    return d;
}

DmarcVerdict DmarcChecker::check(const DmarcInput& in, Deadline deadline) const
{
    DmarcVerdict v;
    v.from_domain = lower(in.from_domain);
    v.org_domain = orgs_.organizational(v.from_domain);

    // Policy discovery (RFC 7489 6.6.3): the From domain, then its
    // organizational domain.
    Discovery found = lookup(v.from_domain, deadline);
    v.record_domain = v.from_domain;
    if (found.status == DnsStatus::temporary) {
        v.result = DmarcResult::temperror;
        v.reason = "DNS error looking up _dmarc." + v.from_domain + ": " + found.reason;
        return v;
    }
    if (found.records.empty() && v.org_domain != v.from_domain) {
        found = lookup(v.org_domain, deadline);
        v.record_domain = v.org_domain;
        if (found.status == DnsStatus::temporary) {
            v.result = DmarcResult::temperror;
            v.reason = "DNS error looking up _dmarc." + v.org_domain + ": " + found.reason;
            return v;
        }
    }
    if (found.records.empty()) {
        v.result = DmarcResult::none;
        v.reason = "no DMARC record at _dmarc." + v.from_domain
            + (v.org_domain != v.from_domain ? " or _dmarc." + v.org_domain : std::string());
        return v;
    }
    if (found.records.size() > 1) {
        // RFC 7489 6.6.3 step 3: several records end discovery; no policy applies.
        v.result = DmarcResult::none;
        v.reason = "more than one DMARC record at _dmarc." + v.record_domain + ", so no policy applies";
        return v;
    }
    auto record = parse_dmarc_record(found.records.front());
    if (!record) {
        v.result = DmarcResult::permerror;
        v.reason = "malformed DMARC record at _dmarc." + v.record_domain + ": " + record.error().message;
        return v;
    }
    v.record = *record;
    bool subdomain = v.record_domain != v.from_domain;
    v.policy = subdomain && !record->subdomain_policy.empty() ? record->subdomain_policy : record->policy;

    // Identifier alignment (RFC 7489 3.1): SPF must pass for an aligned
    // domain; any passing DKIM signature with an aligned d= will do.
    v.spf_aligned = in.spf == SpfResult::pass && !in.spf_domain.empty()
        && orgs_.aligned(in.spf_domain, v.from_domain, record->strict_spf);
    for (const std::string& d : in.dkim_domains) {
        if (orgs_.aligned(d, v.from_domain, record->strict_dkim)) {
            v.dkim_aligned = true;
            v.aligned_dkim_domain = lower(d);
            break;
        }
    }
    if (v.spf_aligned || v.dkim_aligned) {
        v.result = DmarcResult::pass;
        v.reason = v.dkim_aligned
            ? "DKIM d=" + v.aligned_dkim_domain + " is aligned with " + v.from_domain
            : "SPF domain " + in.spf_domain + " passes and is aligned with " + v.from_domain;
        return v;
    }
    if (in.spf == SpfResult::temperror) {
        // Could not tell: SPF might have passed and aligned.
        v.result = DmarcResult::temperror;
        v.reason = "SPF temperror and no aligned DKIM signature";
        return v;
    }
    v.result = DmarcResult::fail;
    std::string spf_part;
    if (in.spf != SpfResult::pass)
        spf_part = "SPF is " + std::string(to_string(in.spf));
    else
        spf_part = "SPF domain " + in.spf_domain + " is not aligned ("
            + (record->strict_spf ? "strict" : "relaxed") + ")";
    v.reason = spf_part + " and no DKIM signature is aligned with " + v.from_domain + " ("
        + (record->strict_dkim ? "strict" : "relaxed") + ")";
    return v;
}

} // namespace sendsentry::auth
