// --resolver and --timeout over the [spf]/[dmarc] settings (dns_options.hh).
#include "dns_options.hh"

namespace sendsentry::cli {

void add_dns_options(CLI::App& cmd, DnsOptions& o)
{
    cmd.add_option("--resolver", o.resolver, "DNS server HOST:PORT instead of [spf] resolver");
    cmd.add_option("--timeout", o.timeout, "seconds before the check gives temperror ([spf] time_limit)");
}

Result<auth::OutboundSettings> outbound_settings(Context& ctx, const DnsOptions& o)
{
    auto config = ctx.config();
    if (!config)
        return std::move(config).error();
    auto settings = auth::outbound_settings(**config);
    if (!settings)
        return settings;
    if (!o.resolver.empty())
        settings->resolver.server = o.resolver;
    if (o.timeout > 0)
        settings->time_limit = std::chrono::seconds(o.timeout);
    return settings;
}

int verdict_exit(bool pass, bool temperror)
{
    if (pass)
        return exit_ok;
    return temperror ? exit_store : exit_not_found;
}

} // namespace sendsentry::cli
