// `sendsentry senders` and `sendsentry sender show|resume`: the reputation
// guard for operators (issue 8): volumes, rates and states, history, and
// manual reinstatement recorded with who and why.
#include "command.hh"

#include "core/json.hh"
#include "reputation/notice.hh"
#include "reputation/overview.hh"
#include "store/suppression_format.hh"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <memory>
#include <ostream>
#include <pwd.h>
#include <unistd.h>

namespace sendsentry::cli::senders {
namespace {

    using reputation::format_ppm;
    using reputation::rate_ppm;

    struct Options {
        std::string sender;
        bool json = false;
        bool evaluate = false;
        std::string by;
        std::string why;
        bool approve = true; // approve / unapprove
    };

    Result<reputation::Thresholds> thresholds(Context& ctx)
    {
        auto cfg = ctx.config();
        if (!cfg)
            return std::move(cfg).error();
        return reputation::Thresholds::from_config(**cfg);
    }

    void print_table(std::ostream& out, const std::vector<reputation::SenderOverview>& all)
    {
        out << std::left << std::setw(32) << "SENDER" << std::setw(10) << "STATE";
        if (!all.empty())
            for (const auto& w : all.front().windows) {
                std::string n = reputation::window_name(w.window);
                out << std::right << std::setw(9) << ("SENT/" + n) << std::setw(9) << "HARD" << std::setw(9)
                    << "COMPL";
            }
        out << '\n';
        for (const auto& o : all) {
            out << std::left << std::setw(32) << o.sender.key << std::setw(10)
                << store::to_string(o.sender.state);
            for (const auto& w : o.windows)
                out << std::right << std::setw(9) << w.counts.sent << std::setw(9)
                    << format_ppm(rate_ppm(w.counts.hard_bounces, w.counts.sent)) << std::setw(9)
                    << format_ppm(rate_ppm(w.counts.complaints, w.counts.sent));
            out << '\n';
        }
    }

    int run_list(Context& ctx, const Options& o)
    {
        auto t = thresholds(ctx);
        if (!t)
            return ctx.usage_error("configuration", t.error().message);
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        if (o.evaluate) {
            auto all = reputation::overview(**st, ctx.now(), *t);
            if (!all)
                return ctx.store_error("senders", all.error());
            // Changes of state are logged and recorded by the guard itself.
            auto notice = reputation::NoticeSettings::from_config(**ctx.config());
            for (const auto& s : *all) {
                auto ev = reputation::evaluate(**st, s.sender.key, ctx.now(), *t);
                if (!ev)
                    return ctx.store_error("evaluate " + s.sender.key, ev.error());
                if (ev->changed())
                    reputation::notify(notice, reputation::StateChange::of(*ev, ctx.now()));
            }
        }
        auto all = reputation::overview(**st, ctx.now(), *t);
        if (!all)
            return ctx.store_error("senders", all.error());
        if (o.json) {
            for (const auto& s : *all)
                ctx.out() << reputation::to_json(s) << '\n';
        } else {
            print_table(ctx.out(), *all);
        }
        return exit_ok;
    }

    int run_show(Context& ctx, const Options& o)
    {
        auto t = thresholds(ctx);
        if (!t)
            return ctx.usage_error("configuration", t.error().message);
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        auto ov = reputation::overview_of(**st, o.sender, ctx.now(), *t);
        if (!ov)
            return ctx.store_error("sender " + o.sender, ov.error());
        store::EventFilter f;
        f.kind = store::EventKind::state_change;
        f.sender = o.sender;
        f.limit = 50;
        auto history = (*st)->list_events(f);
        if (!history)
            return ctx.store_error("events", history.error());
        if (o.json) {
            std::string out = reputation::to_json(*ov);
            out.pop_back();
            out += ",\"history\":[";
            for (std::size_t i = 0; i < history->size(); ++i)
                out += (i ? "," : "") + std::string("{\"at\":")
                    + json_string(store::format::iso_time((*history)[i].at))
                    + ",\"change\":" + json_string((*history)[i].detail)
                    + ",\"source\":" + json_string((*history)[i].source) + "}";
            ctx.out() << out << "]}\n";
            return exit_ok;
        }
        const store::Sender& s = ov->sender;
        ctx.out() << "sender:  " << s.key << "\nstate:   " << store::to_string(s.state);
        if (s.state_since)
            ctx.out() << " since " << store::format::iso_time(s.state_since);
        ctx.out() << '\n';
        if (!s.state_reason.empty())
            ctx.out() << "reason:  " << s.state_reason << '\n';
        for (const auto& w : ov->windows) {
            const auto& c = w.counts;
            ctx.out() << "last " << std::left << std::setw(4) << reputation::window_name(w.window)
                      << std::right << ": sent " << c.sent << ", hard bounces " << c.hard_bounces << " ("
                      << format_ppm(rate_ppm(c.hard_bounces, c.sent)) << "), soft bounces " << c.soft_bounces
                      << ", complaints " << c.complaints << " (" << format_ppm(rate_ppm(c.complaints, c.sent))
                      << "), unsubscribes " << c.unsubscribes << ", blocked " << c.blocked << '\n';
        }
        ctx.out() << "history (newest first):\n";
        if (history->empty())
            ctx.out() << "  no state changes\n";
        for (const store::Event& e : *history)
            ctx.out() << "  " << store::format::iso_time(e.at) << "  " << e.detail << " [" << e.source
                      << "]\n";
        return exit_ok;
    }

    // Who runs the command, for the record: the sudo caller, else the user.
    std::string invoking_user()
    {
        if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo)
            return sudo;
        if (const passwd* pw = ::getpwuid(::getuid()))
            return pw->pw_name;
        return "uid " + std::to_string(::getuid());
    }

    int run_resume(Context& ctx, const Options& o)
    {
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        std::string who = o.by.empty() ? invoking_user() : o.by;
        auto before = (*st)->get_sender(o.sender);
        auto s = reputation::resume(**st, o.sender, ctx.now(), who, o.why);
        if (s && before && *before) {
            std::string why = "resumed by " + who + (o.why.empty() ? "" : ": " + o.why);
            reputation::notify(reputation::NoticeSettings::from_config(**ctx.config()),
                { o.sender, (*before)->state, reputation::State::ok, why, ctx.now(), {} });
        }
        if (!s) {
            if (s.error().kind == ErrorKind::not_found) {
                ctx.err() << "sendsentry: " << s.error().message << '\n';
                return exit_not_found;
            }
            return ctx.store_error("resume " + o.sender, s.error());
        }
        ctx.out() << o.sender << ": resumed by " << who << '\n';
        return exit_ok;
    }

    int run_suspend(Context& ctx, const Options& o)
    {
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        std::string who = o.by.empty() ? invoking_user() : o.by;
        auto before = (*st)->get_sender(o.sender);
        if (!before)
            return ctx.store_error("suspend " + o.sender, before.error());
        if (auto s = reputation::suspend(**st, o.sender, ctx.now(), who, o.why); !s)
            return ctx.store_error("suspend " + o.sender, s.error());
        reputation::notify(reputation::NoticeSettings::from_config(**ctx.config()),
            { o.sender, *before ? (*before)->state : reputation::State::ok, reputation::State::suspended,
                "suspended by " + who + ": " + o.why, ctx.now(), {} });
        ctx.out() << o.sender << ": suspended by " << who << '\n';
        return exit_ok;
    }

    int run_approve(Context& ctx, const Options& o)
    {
        auto st = ctx.store();
        if (!st)
            return ctx.store_error("open", st.error());
        if (auto s = reputation::set_approved(**st, o.sender, o.approve); !s)
            return ctx.store_error((o.approve ? "approve " : "unapprove ") + o.sender, s.error());
        ctx.out() << o.sender << (o.approve ? ": approved\n" : ": no longer approved\n");
        return exit_ok;
    }

    template <class F> void on_parsed(CLI::App* cmd, Context& ctx, std::shared_ptr<Options> o, F run)
    {
        cmd->callback([&ctx, o, run] { ctx.action = [&ctx, o, run] { return run(ctx, *o); }; });
    }

    void add_senders(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<Options>();
        auto* cmd
            = app.add_subcommand("senders", "every sender with volumes, bounce and complaint rates, state");
        cmd->add_flag("--json", o->json, "one JSON object per sender");
        cmd->add_flag(
            "--evaluate", o->evaluate, "judge every sender first and record changes of state (timer)");
        on_parsed(cmd, ctx, o, run_list);
    }

    void add_sender(CLI::App& app, Context& ctx)
    {
        auto* sender = app.add_subcommand("sender", "one sender: details, history, suspension, approval");
        sender->require_subcommand(1);
        auto show = std::make_shared<Options>();
        auto* cmd = sender->add_subcommand("show", "rates per window and the history of state changes");
        cmd->add_option("sender", show->sender, "sender domain or address")->required();
        cmd->add_flag("--json", show->json, "print JSON");
        on_parsed(cmd, ctx, show, run_show);

        auto resume = std::make_shared<Options>();
        cmd = sender->add_subcommand("resume", "reinstate a suspended sender (recorded with who and why)");
        cmd->add_option("sender", resume->sender, "sender domain or address")->required();
        cmd->add_option("--why", resume->why, "the reason, for the record")->required();
        cmd->add_option("--by", resume->by, "who resumes (default: the invoking user)");
        on_parsed(cmd, ctx, resume, run_resume);

        auto suspend = std::make_shared<Options>();
        cmd = sender->add_subcommand("suspend", "stop a sender now (recorded with who and why)");
        cmd->add_option("sender", suspend->sender, "sender domain, address or sasl:LOGIN")->required();
        cmd->add_option("--why", suspend->why, "the reason, for the record and the SMTP reply")->required();
        cmd->add_option("--by", suspend->by, "who suspends (default: the invoking user)");
        on_parsed(cmd, ctx, suspend, run_suspend);

        auto approve = std::make_shared<Options>();
        cmd = sender->add_subcommand(
            "approve", "let a sender send when [policyd] approved_senders_only = yes");
        cmd->add_option("sender", approve->sender, "envelope sender address, domain, or SASL login")
            ->required();
        on_parsed(cmd, ctx, approve, run_approve);

        auto unapprove = std::make_shared<Options>();
        unapprove->approve = false;
        cmd = sender->add_subcommand("unapprove", "take a sender off the approved list");
        cmd->add_option("sender", unapprove->sender, "as given to approve")->required();
        on_parsed(cmd, ctx, unapprove, run_approve);
    }

    const sendsentry::cli::Registration senders_registration("senders", add_senders);
    const sendsentry::cli::Registration sender_registration("sender", add_sender);

} // namespace
} // namespace sendsentry::cli::senders
