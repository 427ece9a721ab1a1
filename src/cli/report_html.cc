// `sendsentry report --html FILE`: gathers the HTML report's data and writes
// the page atomically (a temporary file renamed), so a web server publishing
// FILE never serves half a page.
#include "report_actions.hh"

#include "metrics/exposition.hh"
#include "reputation/html_report.hh"
#include "suppress_actions.hh"

#include <ostream>

namespace sendsentry::cli::report {

int run_html(Context& ctx, const Options& o)
{
    const store::Time now = ctx.now();
    auto since = suppress::parse_since(o.since, now);
    if (!since)
        return ctx.usage_error("report", since.error().message);
    auto cfg = ctx.config();
    if (!cfg)
        return ctx.usage_error("configuration", cfg.error().message);
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    auto data = reputation::gather_html_report(
        **st, *since, now, reputation::Thresholds::from_config(**cfg), o.sender, o.top);
    if (!data)
        return ctx.store_error("report", data.error());
    if (auto w = metrics::write_textfile(o.html, reputation::render_html(*data)); !w) {
        ctx.err() << "sendsentry: report: " << w.error().message << '\n';
        return exit_store;
    }
    ctx.out() << o.html << ": " << data->senders.size() << " senders\n";
    return exit_ok;
}

} // namespace sendsentry::cli::report
