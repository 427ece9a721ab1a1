// The options `sendsentry spf` and `sendsentry dmarc` share: which DNS server
// to ask and how long to wait, over the milter's own [spf]/[dmarc] settings,
// so both commands run exactly the milter's checks.
#pragma once

#include "auth/outbound_check.hh"
#include "command.hh"

#include <CLI/CLI.hpp>
#include <string>

namespace sendsentry::cli {

struct DnsOptions {
    std::string resolver; // HOST:PORT; empty: [spf] resolver
    int timeout = 0; // seconds; 0: [spf] time_limit
};

// Declares --resolver and --timeout on CMD.
void add_dns_options(CLI::App& cmd, DnsOptions& o);

// The milter's settings from the configuration with O applied.
[[nodiscard]] Result<auth::OutboundSettings> outbound_settings(Context& ctx, const DnsOptions& o);

// Exit code for a check's verdict: 0 pass, 3 temperror (could not tell), 1 otherwise.
int verdict_exit(bool pass, bool temperror);

} // namespace sendsentry::cli
