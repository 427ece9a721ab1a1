// The options and actions of `sendsentry suppress ...`. suppress.cc maps the
// command line onto these structs; suppress_edit.cc and suppress_transfer.cc
// run them. Kept apart so that only suppress.cc compiles the CLI11 headers.
#pragma once

#include "command.hh"

#include <cstdint>
#include <string>
#include <vector>

namespace sendsentry::cli::suppress {

struct EntryOptions { // add, remove
    std::vector<std::string> addresses;
    std::string reason = "manual";
    std::string scope;
    std::string expires;
    std::string note;
};

struct CheckOptions {
    std::string address;
    std::string sender; // sender domain or address; "" = global entries only
    bool json = false;
};

struct FilterOptions { // list, export
    std::string reason;
    std::string scope;
    bool scope_given = false; // --scope "" means "global only"
    std::string since;
    std::string pattern;
    bool expired = false;
};

struct ListOptions {
    FilterOptions filter;
    std::int64_t limit = 100; // 0 = all
    std::int64_t offset = 0;
    bool json = false;
};

struct ExportOptions {
    FilterOptions filter;
    std::string file = "-";
    std::string format = "csv";
};

struct ImportOptions {
    std::string file = "-";
    std::string format = "auto";
    std::string reason = "manual"; // for rows without one
    std::string scope; // for rows without a scope column
    std::string expires; // for rows without an expires column
    std::string note; // for rows without a note
    bool strict = false;
};

struct StatsOptions {
    bool json = false;
};

int run_add(Context& ctx, const EntryOptions& options);
int run_remove(Context& ctx, const EntryOptions& options);
int run_check(Context& ctx, const CheckOptions& options);
int run_stats(Context& ctx, const StatsOptions& options);
int run_list(Context& ctx, const ListOptions& options);
int run_export(Context& ctx, const ExportOptions& options);
int run_import(Context& ctx, const ImportOptions& options);

// --expires: "" or "never" (none), a duration from now ("30d", "12h"), or a
// time (2026-12-31, 2026-12-31T12:00:00Z, Unix seconds).
[[nodiscard]] Result<std::optional<store::Time>> parse_expires(std::string_view text, store::Time now);
// --since: a duration back from now ("7d") or a time.
[[nodiscard]] Result<store::Time> parse_since(std::string_view text, store::Time now);

} // namespace sendsentry::cli::suppress
