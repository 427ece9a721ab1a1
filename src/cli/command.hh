// What every `sendsentry` subcommand shares: the global options, lazy access
// to the configuration and the store, exit codes, and the registration that
// adds a subcommand (see the top of main.cc for how to add one).
#pragma once

#include "core/config.hh"
#include "core/result.hh"
#include "store/store.hh"

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sendsentry::cli {

// Exit codes of `sendsentry` (README "Exit codes").
enum Exit : int {
    exit_ok = 0,
    exit_not_found = 1, // check: not suppressed; remove: nothing to remove
    exit_usage = 2, // bad options, bad configuration, bad input file (--strict)
    exit_store = 3, // the store could not be opened, read or written
};

class Context {
public:
    // Global options, filled in by the parser.
    std::string config_path = config::default_path;
    bool config_given = false; // -c was on the command line
    bool check_config = false; // -n
    std::string db_path; // --db (overrides [store] path)

    // Set by the chosen subcommand's parse callback; run by main after parsing.
    std::function<int()> action;

    // The configuration: -c FILE, else /etc/sendsentry/sendsentry.conf when it
    // exists, else the defaults. Loaded once; errors are printed by main.
    [[nodiscard]] Result<const config::Config*> config();
    // The store at --db or [store] path, opened once; BULK for a large
    // import (store::OpenOptions::bulk).
    [[nodiscard]] Result<store::Store*> store(bool bulk = false);

    // The CLI is the program's edge: the one place that reads the clock.
    store::Time now() const;

    std::ostream& out() const;
    std::ostream& err() const;

    // Print "sendsentry: WHAT: message" on stderr and return the exit code.
    int store_error(std::string_view what, const Error& error) const; // exit_store
    int usage_error(std::string_view what, std::string_view message) const; // exit_usage

private:
    std::optional<config::Config> config_;
    std::unique_ptr<store::Store> store_;
};

// Adds one top-level subcommand (and its options) to APP. The subcommand's
// parse callback sets ctx.action; it must not do work itself, so that -n and
// configuration errors are handled before anything runs.
using Setup = void (*)(CLI::App& app, Context& ctx);

// Registers SETUP at program start: one line in the subcommand's own file,
//   const sendsentry::cli::Registration registration("keygen", add_keygen);
// Subcommands appear in the help in the order of NAME.
class Registration {
public:
    Registration(const char* name, Setup setup);
};

struct Registered {
    const char* name;
    Setup setup;
};
// Every registered subcommand, sorted by name.
std::vector<Registered> registered_commands();

} // namespace sendsentry::cli
