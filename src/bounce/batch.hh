// --batch: reads every message of a maildir, a directory of message files or
// an mbox (migrating old bounces), with a progress line on a terminal.
#pragma once

#include "core/config.hh"

#include <functional>
#include <string>
#include <string_view>

namespace sendsentry::bounce {

// Calls VISIT with each message of PATH (maildir new/ and cur/, a directory
// of files, or an mbox file) in a stable order; stops early when VISIT
// returns false. Returns false when PATH cannot be read.
bool each_message(const std::string& path,
    const std::function<bool(std::string_view name, std::string_view text)>& visit, std::string& error);

int run_batch(const std::string& path, const config::Config& cfg, bool dry_run, bool json);

} // namespace sendsentry::bounce
