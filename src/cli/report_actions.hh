// Shared by the files of `sendsentry report`: its options and the actions
// report.cc (tables) and report_html.cc (the HTML page) run.
#pragma once

#include "command.hh"

#include <string>

namespace sendsentry::cli::report {

struct Options {
    std::string kind; // bounces | complaints | blocked | suppressions ("" with --html)
    std::string since = "7d";
    std::string sender;
    std::string html; // --html FILE
    std::size_t top = 20;
    bool json = false;
    bool csv = false;
};

int run_tables(Context& ctx, const Options& options);
int run_html(Context& ctx, const Options& options);

} // namespace sendsentry::cli::report
