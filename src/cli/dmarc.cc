// `sendsentry dmarc`: would the receiver's DMARC check pass this From with
// this envelope and these DKIM signatures? Same code as the milter
// (auth::OutboundChecker). Prints pass|fail|none|temperror|permerror first,
// then the alignment details. Exit 0 pass, 1 other, 3 temperror, 2 usage.
#include "dns_options.hh"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>
#include <sstream>

namespace sendsentry::cli {
namespace {

    struct DmarcOptions {
        std::string from;
        std::string mail_from;
        std::string helo;
        std::vector<std::string> dkim_domains;
        std::string spf;
        std::vector<std::string> ips;
        DnsOptions dns;
    };

    // SPF as the milter computes it: every outbound address must pass.
    auth::SpfResult evaluate_spf(const auth::OutboundChecker& c, const DmarcOptions& o,
        const std::vector<std::string>& ips, auth::Deadline deadline, std::ostream& out)
    {
        if (ips.empty()) {
            out << "spf: none (no --ip and no [spf] outbound_ips: SPF not evaluated)\n";
            return auth::SpfResult::none;
        }
        auth::SpfResult worst = auth::SpfResult::pass;
        for (const std::string& ip : ips) {
            auth::SpfVerdict v = c.spf().check({ ip, o.mail_from, o.helo }, deadline);
            out << "spf: " << to_string(v.result) << " for " << ip << ": " << v.reason << '\n';
            if (v.result != auth::SpfResult::pass && worst == auth::SpfResult::pass)
                worst = v.result;
        }
        return worst;
    }

    int run(Context& ctx, const DmarcOptions& o)
    {
        auto settings = outbound_settings(ctx, o.dns);
        if (!settings)
            return ctx.usage_error("configuration", settings.error().message);
        std::optional<auth::SpfResult> given;
        if (!o.spf.empty()) {
            given = auth::parse_spf_result(o.spf);
            if (!given)
                return ctx.usage_error("dmarc",
                    "--spf must be one of none, neutral, pass, fail, softfail, "
                    "temperror, permerror");
        }
        auto from = auth::parse_from_field(o.from);
        if (!from) {
            ctx.out() << "permerror\nfrom: " << from.error().message << '\n';
            return exit_not_found;
        }
        std::vector<std::string> ips = o.ips.empty() ? settings->outbound_ips : o.ips;
        auto deadline = auth::Clock::now() + settings->time_limit;
        auto checker = auth::OutboundChecker::create(std::move(*settings));
        if (!checker)
            return ctx.usage_error("dmarc", checker.error().message);

        std::ostringstream details;
        auth::DmarcInput in;
        in.from_domain = from->domain;
        in.spf_domain = o.mail_from.empty() ? o.helo : o.mail_from.substr(o.mail_from.rfind('@') + 1);
        in.spf = given ? *given : evaluate_spf(**checker, o, ips, deadline, details);
        if (given)
            details << "spf: " << to_string(*given) << " (given)\n";
        in.dkim_domains = o.dkim_domains;
        auth::DmarcVerdict v = (*checker)->dmarc().check(in, deadline);

        std::ostream& out = ctx.out();
        out << to_string(v.result) << '\n';
        out << "from: " << v.from_domain << " (organizational domain " << v.org_domain << ")\n";
        if (v.record) {
            out << "policy: " << v.policy << " from _dmarc." << v.record_domain << " (p=" << v.record->policy
                << (v.record->subdomain_policy.empty() ? "" : " sp=" + v.record->subdomain_policy)
                << " aspf=" << (v.record->strict_spf ? "s" : "r")
                << " adkim=" << (v.record->strict_dkim ? "s" : "r") << " pct=" << v.record->percent << ")\n";
        }
        out << details.str();
        out << "spf alignment: " << (v.spf_aligned ? "aligned" : "not aligned") << " (" << in.spf_domain
            << ")\n";
        out << "dkim alignment: "
            << (v.dkim_aligned ? "aligned (d=" + v.aligned_dkim_domain + ")" : "not aligned") << '\n';
        out << "reason: " << v.reason << '\n';
        return verdict_exit(v.result == auth::DmarcResult::pass, v.result == auth::DmarcResult::temperror);
    }

    void add_dmarc(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<DmarcOptions>();
        auto* cmd = app.add_subcommand("dmarc",
            "would receivers' DMARC check pass? prints pass, fail, none, temperror or permerror first; "
            "exit 0 pass, 1 other result, 3 temperror");
        cmd->add_option("--from", o->from, "the header From (an address or a whole field value)")->required();
        cmd->add_option("--mail-from", o->mail_from, "envelope sender (MAIL FROM); empty for the null sender")
            ->required();
        cmd->add_option("--helo", o->helo, "HELO name: the SPF identity for the null sender");
        cmd->add_option(
            "--dkim-domain", o->dkim_domains, "d= of a DKIM signature the message carries (repeat)");
        cmd->add_option("--spf", o->spf, "SPF result to use instead of evaluating it");
        cmd->add_option(
            "--ip", o->ips, "sending address to evaluate SPF for (repeat; default [spf] outbound_ips)");
        add_dns_options(*cmd, o->dns);
        cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
    }

    const Registration registration("dmarc", add_dmarc);

} // namespace
} // namespace sendsentry::cli
