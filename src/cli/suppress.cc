// `sendsentry suppress ...`: the command line of the suppression-list
// subcommands (options, help text) mapped onto suppress_actions.hh.
#include "suppress_actions.hh"

#include <CLI/CLI.hpp>
#include <memory>

namespace sendsentry::cli::suppress {
namespace {

    // Sets ctx.action to run ACTION with the parsed OPTIONS once parsing is done.
    template <class Options>
    void on_parsed(CLI::App* cmd, Context& ctx, std::shared_ptr<Options> options,
        int (*action)(Context&, const Options&))
    {
        cmd->callback([&ctx, options, action] {
            ctx.action = [&ctx, options, action] { return action(ctx, *options); };
        });
    }

    void add_filter_options(CLI::App* cmd, FilterOptions& f, CLI::Option*& scope)
    {
        cmd->add_option("--reason", f.reason,
            "only this reason: hard_bounce, complaint, soft_bounce, unsubscribe, manual");
        scope = cmd->add_option("--scope", f.scope, "only this scope: a sender domain, or \"global\"");
        cmd->add_option(
            "--since", f.since, "only entries seen since: a date, a time, or a duration back (7d)");
        cmd->add_option("--pattern", f.pattern,
            "only addresses matching this shell glob (case-sensitive), e.g. '*@example.com'");
        cmd->add_flag("--expired", f.expired, "include expired entries");
    }

    void add_add(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<EntryOptions>();
        auto* cmd = suppress.add_subcommand("add", "add or update entries (the operator's word is final)");
        cmd->add_option("address", o->addresses, "recipient addresses")->required();
        cmd->add_option("--reason", o->reason, "hard_bounce, complaint, soft_bounce, unsubscribe or manual")
            ->capture_default_str();
        cmd->add_option(
            "--scope", o->scope, "block mail only from this sender domain (default: from every sender)");
        cmd->add_option(
            "--expires", o->expires, "when the entry lapses: a date, a time, a duration (30d), or never");
        cmd->add_option("--note", o->note, "free text kept with the entry");
        on_parsed(cmd, ctx, o, run_add);
    }

    void add_remove(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<EntryOptions>();
        auto* cmd = suppress.add_subcommand("remove", "remove entries; exit 1 if one was not on the list");
        cmd->add_option("address", o->addresses, "recipient addresses")->required();
        cmd->add_option("--scope", o->scope, "the entry's scope (default: the global entry)");
        cmd->add_option("--note", o->note, "why, for the event log");
        on_parsed(cmd, ctx, o, run_remove);
    }

    void add_check(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<CheckOptions>();
        auto* cmd = suppress.add_subcommand("check",
            "is mail to ADDRESS blocked (for --sender, or for every sender; entries scoped to "
            "other senders are listed)? exit 0 suppressed, 1 not suppressed, 3 could not tell");
        cmd->add_option("address", o->address, "recipient address")->required();
        cmd->add_option("--scope,--sender", o->sender,
            "sender domain (or address) of the mail: checks its scoped entries as well as global ones");
        cmd->add_flag("--json", o->json, "print JSON");
        on_parsed(cmd, ctx, o, run_check);
    }

    void add_list(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<ListOptions>();
        auto* cmd = suppress.add_subcommand("list", "list entries, a page at a time");
        CLI::Option* scope = nullptr;
        add_filter_options(cmd, o->filter, scope);
        cmd->add_option("--limit", o->limit, "entries per page (0: all)")->capture_default_str();
        cmd->add_option("--offset", o->offset, "entries to skip")->capture_default_str();
        cmd->add_flag("--json", o->json, "print JSON");
        cmd->callback([&ctx, o, scope] {
            o->filter.scope_given = scope->count() > 0;
            ctx.action = [&ctx, o] { return run_list(ctx, *o); };
        });
    }

    void add_export(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<ExportOptions>();
        auto* cmd = suppress.add_subcommand("export", "write the list (or the filtered part) to a file");
        cmd->add_option("file", o->file, "output file, - for stdout")->capture_default_str();
        cmd->add_option("--format", o->format,
               "csv (ours, with header), jsonl, or ses (Amazon SES bulk-import CSV: "
               "address,BOUNCE|COMPLAINT)")
            ->capture_default_str();
        CLI::Option* scope = nullptr;
        add_filter_options(cmd, o->filter, scope);
        cmd->callback([&ctx, o, scope] {
            o->filter.scope_given = scope->count() > 0;
            ctx.action = [&ctx, o] { return run_export(ctx, *o); };
        });
    }

    void add_import(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<ImportOptions>();
        auto* cmd = suppress.add_subcommand("import", "read entries from CSV (ours or SES) or JSON Lines");
        cmd->add_option("file", o->file, "input file, - for stdin")->capture_default_str();
        cmd->add_option("--format", o->format, "auto, csv (ours or SES; header decides) or jsonl")
            ->capture_default_str();
        cmd->add_option("--reason", o->reason, "reason for rows without one")->capture_default_str();
        cmd->add_option("--scope", o->scope, "scope for rows without a scope column");
        cmd->add_option("--expires", o->expires, "expiry for rows without an expires column");
        cmd->add_option("--note", o->note, "note for rows without one");
        cmd->add_flag(
            "--strict", o->strict, "refuse the whole file at the first bad line (default: skip and report)");
        on_parsed(cmd, ctx, o, run_import);
    }

    void add_stats(CLI::App& suppress, Context& ctx)
    {
        auto o = std::make_shared<StatsOptions>();
        auto* cmd = suppress.add_subcommand("stats", "count entries by reason");
        cmd->add_flag("--json", o->json, "print JSON");
        on_parsed(cmd, ctx, o, run_stats);
    }

    void add_suppress(CLI::App& app, Context& ctx)
    {
        auto* suppress
            = app.add_subcommand("suppress", "the suppression list: recipients mail must not go to");
        suppress->require_subcommand(1);
        add_add(*suppress, ctx);
        add_remove(*suppress, ctx);
        add_check(*suppress, ctx);
        add_list(*suppress, ctx);
        add_export(*suppress, ctx);
        add_import(*suppress, ctx);
        add_stats(*suppress, ctx);
    }

    const Registration registration("suppress", add_suppress);

} // namespace
} // namespace sendsentry::cli::suppress
