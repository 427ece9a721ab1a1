// The options and actions of `sendsentry limit set|unset|show|reset`: per-key
// rate-limit overrides and state, shared with sendsentry-policyd through the
// store. limit.cc maps the command line onto these; limit_actions.cc runs them.
#pragma once

#include "command.hh"

#include <string>
#include <vector>

namespace sendsentry::cli::limit {

struct SetOptions {
    std::string key; // "sender:a@example.com", "sasl:bob", "domain:x.org", "client:192.0.2.1"
    std::vector<std::string> specs; // "messages:100/1h", "recipients:500/1d"
};

struct KeyOptions { // unset, reset, show
    std::string key;
    bool json = false;
};

int run_set(Context& ctx, const SetOptions& o);
int run_unset(Context& ctx, const KeyOptions& o);
int run_show(Context& ctx, const KeyOptions& o);
int run_reset(Context& ctx, const KeyOptions& o);

} // namespace sendsentry::cli::limit
