// `sendsentry metrics` (issue 8): the store as Prometheus text, printed,
// written for node_exporter's textfile collector (--textfile, atomically) or
// served on a loopback port (--listen, GET /metrics, re-read per scrape).
#include "command.hh"

#include "metrics/http_endpoint.hh"
#include "metrics/store_metrics.hh"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sendsentry::cli::metrics_command {
namespace {

    struct Options {
        std::string textfile;
        std::string listen;
    };

    int run(Context& ctx, const Options& o)
    {
        auto cfg = ctx.config();
        if (!cfg)
            return ctx.usage_error("configuration", cfg.error().message);
        auto thresholds = reputation::Thresholds::from_config(**cfg);
        std::optional<policy::ListenAddress> address;
        if (!o.listen.empty()) {
            auto a = metrics::parse_metrics_listen(o.listen);
            if (!a)
                return ctx.usage_error("metrics", a.error().message);
            address = *a;
        }
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        auto render = [&]() -> Result<std::string> {
            auto e = metrics::collect(**st, ctx.now(), thresholds);
            if (!e)
                return std::move(e).error();
            return e->render();
        };
        if (address) {
            auto served = metrics::serve(*address, render);
            ctx.err() << "sendsentry: metrics: " << served.error().message << '\n';
            return exit_store;
        }
        auto text = render();
        if (!text)
            return ctx.store_error("metrics", text.error());
        if (o.textfile.empty()) {
            ctx.out() << *text;
            return exit_ok;
        }
        if (auto w = metrics::write_textfile(o.textfile, *text); !w) {
            ctx.err() << "sendsentry: metrics: " << w.error().message << '\n';
            return exit_store;
        }
        return exit_ok;
    }

    void add_metrics(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<Options>();
        auto* cmd = app.add_subcommand(
            "metrics", "Prometheus metrics: print, --textfile PATH or --listen 127.0.0.1:PORT");
        auto* textfile = cmd->add_option("--textfile", o->textfile,
            "write to PATH atomically (node_exporter textfile collector, e.g. from a timer)");
        cmd->add_option("--listen", o->listen, "serve GET /metrics on 127.0.0.1:PORT or [::1]:PORT")
            ->excludes(textfile);
        cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
    }

    const sendsentry::cli::Registration registration("metrics", add_metrics);

} // namespace
} // namespace sendsentry::cli::metrics_command
