// `sendsentry spf`: evaluates SPF for one address and envelope with exactly
// the milter's code and DNS layer (auth::OutboundChecker), printing the
// RFC 7208 result word first, then why. Exit 0 pass, 1 any other result,
// 3 temperror (could not tell), 2 usage or configuration error.
#include "dns_options.hh"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sendsentry::cli {
namespace {

    struct SpfOptions {
        std::string ip;
        std::string mail_from;
        std::string helo;
        DnsOptions dns;
    };

    int run(Context& ctx, const SpfOptions& o)
    {
        auto settings = outbound_settings(ctx, o.dns);
        if (!settings)
            return ctx.usage_error("configuration", settings.error().message);
        if (o.mail_from.empty() && o.helo.empty())
            return ctx.usage_error("spf", "give --mail-from, or --helo for the null sender");
        auto checker = auth::OutboundChecker::create(std::move(*settings));
        if (!checker)
            return ctx.usage_error("spf", checker.error().message);

        auth::SpfVerdict v = (*checker)->spf().check({ o.ip, o.mail_from, o.helo });
        std::ostream& out = ctx.out();
        out << to_string(v.result) << '\n' << v.reason << '\n';
        if (!v.explanation.empty())
            out << "explanation: " << v.explanation << '\n';
        out << "identity: " << v.identity << ' ' << v.domain << '\n';
        out << "lookups: " << v.dns_terms << " DNS-querying terms, " << v.void_lookups << " void\n";
        return verdict_exit(v.result == auth::SpfResult::pass, v.result == auth::SpfResult::temperror);
    }

    void add_spf(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<SpfOptions>();
        auto* cmd = app.add_subcommand("spf",
            "would receivers' SPF check pass mail from IP? prints the RFC 7208 result first; "
            "exit 0 pass, 1 other result, 3 temperror");
        cmd->add_option("--ip", o->ip, "the sending address receivers see (IPv4 or IPv6)")->required();
        cmd->add_option("--mail-from", o->mail_from, "envelope sender (MAIL FROM); empty for the null sender")
            ->required();
        cmd->add_option("--helo", o->helo, "HELO name: the identity checked for the null sender");
        add_dns_options(*cmd, o->dns);
        cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
    }

    const Registration registration("spf", add_spf);

} // namespace
} // namespace sendsentry::cli
