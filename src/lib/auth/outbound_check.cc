// The outbound check: SPF per sending address, From, DMARC, header, action.
#include "auth/outbound_check.hh"

#include <arpa/inet.h>
#include <unistd.h>

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

    // The worst SPF result across addresses, as the receiver may see any:
    // pass only if every address passes.
    int badness(SpfResult r)
    {
        switch (r) {
        case SpfResult::fail:
            return 6;
        case SpfResult::permerror:
            return 5;
        case SpfResult::softfail:
            return 4;
        case SpfResult::temperror:
            return 3;
        case SpfResult::neutral:
            return 2;
        case SpfResult::none:
            return 1;
        case SpfResult::pass:
            return 0;
        }
        return 6;
    }

    std::string host_name()
    {
        char buf[256] = "";
        if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
            return "localhost";
        return buf;
    }

    std::string spf_fix(const std::string& ip, const SpfVerdict& v)
    {
        in6_addr a6;
        bool v6 = ::inet_pton(AF_INET6, ip.c_str(), &a6) == 1;
        return "SPF for " + v.domain + " does not authorise " + ip + "; add " + (v6 ? "ip6:" : "ip4:") + ip
            + " or include: this relay's SPF record";
    }

    // SMTP reply text is one line; keep it well inside RFC 5321's 512 octets.
    constexpr std::size_t max_reply_text = 400;

} // namespace

const char* to_string(Action action) noexcept
{
    switch (action) {
    case Action::accept:
        return "accept";
    case Action::tag:
        return "tag";
    case Action::tempfail:
        return "tempfail";
    case Action::reject:
        return "reject";
    }
    return "tag";
}

std::optional<Action> parse_action(std::string_view word) noexcept
{
    for (Action a : { Action::accept, Action::tag, Action::tempfail, Action::reject })
        if (word == to_string(a))
            return a;
    return std::nullopt;
}

Result<OutboundSettings> outbound_settings(const config::Config& cfg)
{
    OutboundSettings s;
    std::string errors;
    for (const std::string& ip : cfg.list("spf", "outbound_ips")) {
        in_addr a4;
        in6_addr a6;
        if (::inet_pton(AF_INET, ip.c_str(), &a4) != 1 && ::inet_pton(AF_INET6, ip.c_str(), &a6) != 1)
            errors += "[spf] outbound_ips: '" + ip + "' is not an IPv4 or IPv6 address\n";
        else
            s.outbound_ips.push_back(ip);
    }
    s.resolver.server = cfg.string("spf", "resolver");
    if (auto addr = parse_server_address(s.resolver.server); !addr)
        errors += "[spf] resolver: " + addr.error().message + "\n";
    s.resolver.cache_entries = static_cast<std::size_t>(cfg.integer("spf", "dns_cache_entries"));
    s.time_limit = cfg.duration("spf", "time_limit");
    s.authserv_id = cfg.string("dmarc", "authserv_id");
    if (s.authserv_id.empty())
        s.authserv_id = host_name();
    s.action = parse_action(cfg.string("dmarc", "action")).value_or(Action::tag);
    for (const std::string& item : cfg.list("dmarc", "domain_actions")) {
        auto eq = item.find('=');
        auto action = eq == std::string::npos ? std::nullopt : parse_action(item.substr(eq + 1));
        if (!action || eq == 0) {
            errors += "[dmarc] domain_actions: '" + item + "' is not DOMAIN=accept|tag|tempfail|reject\n";
            continue;
        }
        s.domain_actions[lower(item.substr(0, eq))] = *action;
    }
    s.public_suffix_list = cfg.string("dmarc", "public_suffix_list");
    if (!errors.empty()) {
        errors.pop_back();
        return make_error(ErrorKind::invalid, errors);
    }
    return s;
}

Result<std::unique_ptr<OutboundChecker>> OutboundChecker::create(OutboundSettings settings)
{
    auto resolver = Resolver::create(settings.resolver);
    if (!resolver)
        return std::move(resolver).error();
    auto orgs = OrgDomains::load(settings.public_suffix_list);
    if (!orgs)
        return std::move(orgs).error();
    return std::make_unique<OutboundChecker>(std::move(*resolver), std::move(*orgs), std::move(settings));
}

OutboundChecker::OutboundChecker(
    std::unique_ptr<Resolver> resolver, OrgDomains orgs, OutboundSettings settings)
    : resolver_(std::move(resolver))
    , orgs_(std::move(orgs))
    , settings_(std::move(settings))
    , spf_(*resolver_, SpfOptions { settings_.time_limit, settings_.authserv_id, "", SpfLimits {} })
    , dmarc_(*resolver_, orgs_)
{
}

Action OutboundChecker::action_for(std::string_view domain) const
{
    // The most specific entry wins: the domain itself, then its parents.
    std::string d = lower(domain);
    for (;;) {
        auto it = settings_.domain_actions.find(d);
        if (it != settings_.domain_actions.end())
            return it->second;
        auto dot = d.find('.');
        if (dot == std::string::npos)
            return settings_.action;
        d.erase(0, dot + 1);
    }
}

OutboundVerdict OutboundChecker::check(const OutboundCheck& m) const
{
    Deadline deadline = Clock::now() + settings_.time_limit;
    OutboundVerdict v;

    SpfQuery q { {}, m.mail_from, m.helo };
    SpfVerdict worst;
    worst.result = SpfResult::none;
    worst.reason = "no [spf] outbound_ips configured; SPF not checked";
    bool first = true;
    for (const std::string& ip : settings_.outbound_ips) {
        q.ip = ip;
        SpfVerdict s = spf_.check(q, deadline);
        if (first || badness(s.result) > badness(worst.result))
            worst = s;
        first = false;
        v.spf_by_ip.emplace_back(ip, std::move(s));
    }
    v.spf = worst.result;

    auto from = parse_header_from(m.header_from_fields);
    if (from) {
        v.from = *from;
        DmarcInput in { from->domain, worst.domain, v.spf, {} };
        for (const DkimSigned& d : m.dkim)
            if (d.result == "pass")
                in.dkim_domains.push_back(d.domain);
        v.dmarc = dmarc_.check(in, deadline);
    } else {
        v.from_error = from.error().message;
    }

    AuthResultsInput ar;
    ar.authserv_id = settings_.authserv_id;
    ar.spf = worst;
    ar.mail_from = m.mail_from;
    ar.helo = m.helo;
    ar.dkim = m.dkim;
    ar.dmarc = v.dmarc;
    ar.dmarc_error = v.from_error;
    v.authentication_results = build_authentication_results(ar);

    std::string envelope_domain
        = m.mail_from.empty() ? m.helo : m.mail_from.substr(m.mail_from.rfind('@') + 1);
    std::string sender_domain = v.from ? v.from->domain : envelope_domain;
    decide(v, sender_domain);
    return v;
}

void OutboundChecker::decide(OutboundVerdict& v, std::string_view sender_domain) const
{
    std::vector<std::string> problems;
    for (const auto& [ip, s] : v.spf_by_ip) {
        if (s.result == SpfResult::fail || s.result == SpfResult::softfail) {
            problems.push_back(spf_fix(ip, s));
            break; // one address says enough; the log line has all
        }
        if (s.result == SpfResult::permerror) {
            problems.push_back("the SPF record of " + s.domain + " is broken (" + s.reason + "); fix it");
            break;
        }
    }
    if (!v.from) {
        problems.push_back("the From header cannot be used for DMARC: " + v.from_error);
    } else if (v.dmarc
        && (v.dmarc->result == DmarcResult::fail || v.dmarc->result == DmarcResult::permerror)) {
        std::string fix = v.dmarc->result == DmarcResult::fail ? "; sign with DKIM d=" + v.dmarc->from_domain
                + " or use a MAIL FROM under " + v.dmarc->org_domain
                                                               : "; fix the DMARC record";
        problems.push_back("DMARC for " + v.dmarc->from_domain + " would fail: " + v.dmarc->reason + fix);
    }
    bool temp = v.spf == SpfResult::temperror || (v.dmarc && v.dmarc->result == DmarcResult::temperror);
    v.problem = !problems.empty();
    v.could_not_tell = !v.problem && temp;

    Action configured = action_for(sender_domain);
    if (v.problem) {
        v.action = configured;
    } else if (v.could_not_tell) {
        // Could not tell is not "no": never reject on a DNS failure, retry
        // instead (ARCHITECTURE.md, "Nothing is lost").
        v.action = configured == Action::reject ? Action::tempfail : configured;
        problems.push_back("SPF or DMARC could not be checked (DNS did not answer in time); try again later");
    } else {
        v.action = Action::accept;
    }
    std::string text;
    for (const std::string& p : problems)
        text += (text.empty() ? "" : "; ") + p;
    if (text.size() > max_reply_text)
        text = text.substr(0, max_reply_text - 3) + "...";
    v.reply_text = text;
    if (v.action == Action::tag && !v.reply_text.empty())
        v.warning_header = v.reply_text;
    if (v.action == Action::reject) {
        v.smtp_code = "550";
        v.smtp_xcode = "5.7.1";
    } else if (v.action == Action::tempfail) {
        v.smtp_code = "451";
        v.smtp_xcode = "4.7.1";
    }
}

void OutboundVerdict::log(const log::Logger& logger) const
{
    std::string ips;
    for (const auto& [ip, s] : spf_by_ip)
        ips += (ips.empty() ? "" : ",") + ip + "=" + to_string(s.result);
    logger.info("auth-check",
        { { "spf", to_string(spf) }, { "spf_ips", ips }, { "from", from ? from->address() : std::string() },
            { "dmarc", dmarc ? to_string(dmarc->result) : "permerror" },
            { "policy", dmarc ? dmarc->policy : std::string() },
            { "spf_aligned", dmarc && dmarc->spf_aligned }, { "dkim_aligned", dmarc && dmarc->dkim_aligned },
            { "action", to_string(action) }, { "reason", reply_text } });
}

} // namespace sendsentry::auth
