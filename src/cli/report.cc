// `sendsentry report bounces|complaints|blocked|suppressions` (issue 8):
// top reasons, sender domains and recipient domains since a time, as a text
// table, JSON or CSV; `--html FILE` hands over to report_html.cc.
#include "report_actions.hh"

#include "reputation/event_report.hh"
#include "suppress_actions.hh"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sendsentry::cli::report {

int run_tables(Context& ctx, const Options& o)
{
    auto kind = reputation::parse_report_kind(o.kind);
    if (!kind)
        return ctx.usage_error("report", kind.error().message);
    if (o.json && o.csv)
        return ctx.usage_error("report", "--json and --csv exclude each other");
    const store::Time now = ctx.now();
    auto since = suppress::parse_since(o.since, now);
    if (!since)
        return ctx.usage_error("report", since.error().message);
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    auto r = reputation::build_report(**st, { *kind, *since, now, o.sender, o.top });
    if (!r)
        return ctx.store_error("report", r.error());
    ctx.out() << (o.json ? reputation::to_json(*r)
            : o.csv      ? reputation::to_csv(*r)
                         : reputation::to_text(*r));
    return exit_ok;
}

namespace {

    void add_report(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<Options>();
        auto* cmd = app.add_subcommand("report",
            "tables of bounces, complaints, blocked sends or suppressions; or --html FILE, a page of charts");
        cmd->add_option("kind", o->kind, "bounces, complaints, blocked or suppressions")
            ->check(CLI::IsMember({ "bounces", "complaints", "blocked", "suppressions" }));
        cmd->add_option(
            "--since", o->since, "from this time: a date, a time, or a duration back (default 7d)");
        cmd->add_option("--sender", o->sender, "only this sender domain (or address)");
        cmd->add_option("--top", o->top, "rows per table (default 20)")->check(CLI::Range(1, 1000));
        cmd->add_flag("--json", o->json, "one JSON object");
        cmd->add_flag("--csv", o->csv, "CSV: table,key,count");
        cmd->add_option("--html", o->html, "write one self-contained HTML page of charts to FILE");
        cmd->callback([&ctx, o] {
            if (!o->html.empty() && !o->kind.empty())
                throw CLI::ValidationError("report", "--html takes no kind: the page has every chart");
            if (o->html.empty() && o->kind.empty())
                throw CLI::RequiredError(
                    "kind (bounces, complaints, blocked or suppressions) or --html FILE");
            ctx.action = [&ctx, o] { return o->html.empty() ? run_tables(ctx, *o) : run_html(ctx, *o); };
        });
    }

    const sendsentry::cli::Registration registration("report", add_report);

} // namespace
} // namespace sendsentry::cli::report
