// `sendsentry spf`: evaluates SPF for one address and envelope with exactly
// the milter's code and DNS layer (auth::OutboundChecker), printing the
// RFC 7208 result word first, then why. Exit 0 pass, 1 any other result,
// 3 temperror (could not tell), 2 usage or configuration error.
#include "auth/outbound_check.hh"
#include "command.hh"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sendsentry::cli {
namespace {

    struct SpfOptions {
        std::string ip;
        std::string mail_from;
        std::string helo;
        std::string resolver;
        int timeout = 0; // seconds; 0: [spf] time_limit
    };

    int run(Context& ctx, const SpfOptions& o)
    {
        auto config = ctx.config();
        if (!config)
            return ctx.usage_error("configuration", config.error().message);
        auto settings = auth::outbound_settings(**config);
        if (!settings)
            return ctx.usage_error("configuration", settings.error().message);
        if (!o.resolver.empty())
            settings->resolver.server = o.resolver;
        if (o.timeout > 0)
            settings->time_limit = std::chrono::seconds(o.timeout);
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
        switch (v.result) {
        case auth::SpfResult::pass:
            return exit_ok;
        case auth::SpfResult::temperror:
            return exit_store; // could not tell
        default:
            return exit_not_found;
        }
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
        cmd->add_option("--resolver", o->resolver, "DNS server HOST:PORT instead of [spf] resolver");
        cmd->add_option(
            "--timeout", o->timeout, "seconds before the check gives temperror ([spf] time_limit)");
        cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
    }

    const Registration registration("spf", add_spf);

} // namespace
} // namespace sendsentry::cli
