// sendsentry: the admin CLI. Reads the global options, lets every registered
// subcommand add itself, loads the configuration, then runs the chosen one.
//
// Adding a subcommand (keygen, spf, dmarc, limit, senders, report):
//   1. Write src/cli/NAME.cc with a setup function and ONE registration line:
//
//        namespace {
//        void add_NAME(CLI::App& app, sendsentry::cli::Context& ctx)
//        {
//            auto options = std::make_shared<NameOptions>();
//            auto* cmd = app.add_subcommand("NAME", "one line of help");
//            cmd->add_option("--thing", options->thing, "what it is");
//            cmd->add_flag("--json", options->json, "print JSON"); // every read command
//            cmd->callback([&ctx, options] { ctx.action = [&ctx, options] { return run(ctx, *options); }; });
//        }
//        const sendsentry::cli::Registration registration("NAME", add_NAME);
//        }
//
//      The callback only records the action: main runs it after -n and the
//      configuration were dealt with. Use ctx.store(), ctx.config(), ctx.now(),
//      ctx.out()/err(), and return an Exit code (command.hh).
//   2. Add src/cli/NAME.cc to sendsentry_SOURCES in src/cli/include.am.
// Nothing here changes. suppress.cc is a complete example with nested
// subcommands; keep the work in files that do not include CLI11 (it costs
// ~9 s of compile time per file).
#include "command.hh"
#include "core/log.hh"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

int main(int argc, char** argv)
{
    using namespace sendsentry;
    log::init_stderr_only(log::Severity::warning);
    cli::Context ctx;

    CLI::App app { "Administer sendsentry: the suppression list and the store the daemons share.",
        "sendsentry" };
    app.fallthrough(); // inherited: global options may follow the subcommand
    app.add_option("-c,--config", ctx.config_path, "configuration file")
        ->capture_default_str()
        ->each([&ctx](const std::string&) { ctx.config_given = true; });
    app.add_flag(
        "-n,--check-config", ctx.check_config, "check the configuration file, report every error, exit");
    app.add_option("--db", ctx.db_path, "database file to use instead of [store] path");
    for (const cli::Registered& command : cli::registered_commands())
        command.setup(app, ctx);
    app.require_subcommand(0, 1);
    app.footer("Exit status: 0 ok, 1 not found, 2 usage or configuration error, 3 store error.");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e); // prints help, or the error
        return code == 0 ? cli::exit_ok : cli::exit_usage;
    }

    if (ctx.check_config)
        ctx.config_given = true; // -n checks the file even at the default place
    auto config = ctx.config();
    if (!config) {
        std::cerr << "sendsentry: " << config.error().message << '\n';
        return cli::exit_usage;
    }
    if (ctx.check_config) {
        std::cout << ctx.config_path << ": ok\n";
        return cli::exit_ok;
    }
    if (!ctx.action) {
        std::cerr << app.help();
        return cli::exit_usage;
    }
    try {
        return ctx.action();
    } catch (const std::exception& e) {
        // A broken invariant, not an expected failure (those are Results).
        std::cerr << "sendsentry: internal error: " << e.what() << '\n';
        return cli::exit_store;
    }
}
