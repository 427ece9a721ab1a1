// `sendsentry limit ...`: the command line of the rate-limit subcommands
// mapped onto limit_actions.hh.
#include "limit_actions.hh"

#include <CLI/CLI.hpp>
#include <memory>

namespace sendsentry::cli::limit {
namespace {

    const char* key_help = "the limit key as policyd derives it: sasl:USER, sender:ADDRESS, domain:DOMAIN or "
                           "client:IP";

    void add_limit(CLI::App& app, Context& ctx)
    {
        auto* limit = app.add_subcommand("limit", "per-sender rate limits of sendsentry-policyd");
        limit->require_subcommand(1);

        auto set = std::make_shared<SetOptions>();
        auto* cmd = limit->add_subcommand(
            "set", "give KEY its own windows (replacing the defaults of each kind given)");
        cmd->add_option("key", set->key, key_help)->required();
        cmd->add_option("limits", set->specs, "KIND:COUNT/WINDOW, e.g. messages:100/1h recipients:2000/1d")
            ->required();
        cmd->callback([&ctx, set] { ctx.action = [&ctx, set] { return run_set(ctx, *set); }; });

        auto unset = std::make_shared<KeyOptions>();
        cmd = limit->add_subcommand("unset", "remove KEY's own windows (the configured ones apply again)");
        cmd->add_option("key", unset->key, key_help)->required();
        cmd->callback([&ctx, unset] { ctx.action = [&ctx, unset] { return run_unset(ctx, *unset); }; });

        auto show = std::make_shared<KeyOptions>();
        cmd = limit->add_subcommand("show", "KEY's windows, what is used and when it comes back");
        cmd->add_option("key", show->key, key_help)->required();
        cmd->add_flag("--json", show->json, "print JSON");
        cmd->callback([&ctx, show] { ctx.action = [&ctx, show] { return run_show(ctx, *show); }; });

        auto reset = std::make_shared<KeyOptions>();
        cmd = limit->add_subcommand(
            "reset", "give KEY its full quota back (the running daemon applies it within 1 s)");
        cmd->add_option("key", reset->key, key_help)->required();
        cmd->callback([&ctx, reset] { ctx.action = [&ctx, reset] { return run_reset(ctx, *reset); }; });
    }

    const sendsentry::cli::Registration registration("limit", add_limit);

} // namespace
} // namespace sendsentry::cli::limit
