// sendsentry-bounce: run by Postfix pipe(8) once per message arriving at the
// bounce address (flags=Rq, argv=... -f ${sender} -r ${recipient}); reads the
// message on stdin, records what it reports, exits with a sysexits code so
// pipe(8) retries whatever could not be stored.
#include "batch.hh"
#include "core/config.hh"
#include "core/log.hh"
#include "envelope.hh"
#include "json_output.hh"
#include "mail/bounce_parser.hh"
#include "message_input.hh"
#include "recorder.hh"

#include <ctime>
#include <getopt.h>
#include <iostream>
#include <sysexits.h>
#include <unistd.h>

namespace {

using namespace sendsentry;

struct Options {
    std::string config_path;
    bool config_given = false;
    std::string sender;
    std::string recipient;
    std::string batch;
    bool dry_run = false;
    bool json = false;
    bool check_config = false;
};

void usage(std::ostream& out)
{
    out << "usage: sendsentry-bounce [-c FILE] [-f SENDER] [-r RECIPIENT] [--dry-run] [--json] < message\n"
           "       sendsentry-bounce [-c FILE] [--dry-run] [--json] --batch MAILDIR|MBOX\n"
           "       sendsentry-bounce -n [-c FILE]\n"
           "  -c, --config FILE     configuration (default "
        << config::default_path
        << ")\n"
           "  -f, --sender ADDR     envelope sender, as pipe(8) passes ${sender}\n"
           "  -r, --recipient ADDR  envelope recipient (the bounce address), ${recipient}\n"
           "      --dry-run         parse and print; touch no database\n"
           "      --json            print one JSON object per failed recipient per line\n"
           "      --batch PATH      read every message of a maildir, directory or mbox\n"
           "  -n, --check-config    check the configuration and exit\n";
}

// Returns EX_OK to go on, or the exit code to stop with (-1 for --help).
int parse_options(int argc, char** argv, Options& o)
{
    enum { opt_dry_run = 256, opt_json, opt_batch };
    static const option longs[] = {
        { "config", required_argument, nullptr, 'c' },
        { "sender", required_argument, nullptr, 'f' },
        { "recipient", required_argument, nullptr, 'r' },
        { "dry-run", no_argument, nullptr, opt_dry_run },
        { "json", no_argument, nullptr, opt_json },
        { "batch", required_argument, nullptr, opt_batch },
        { "check-config", no_argument, nullptr, 'n' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:f:r:nh", longs, nullptr)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            o.config_given = true;
            break;
        case 'f':
            o.sender = optarg;
            break;
        case 'r':
            o.recipient = optarg;
            break;
        case opt_dry_run:
            o.dry_run = true;
            break;
        case opt_json:
            o.json = true;
            break;
        case opt_batch:
            o.batch = optarg;
            break;
        case 'n':
            o.check_config = true;
            break;
        case 'h':
            usage(std::cout);
            return -1;
        default:
            usage(std::cerr);
            return EX_USAGE;
        }
    }
    if (optind != argc) {
        std::cerr << "sendsentry-bounce: unexpected argument: " << argv[optind] << '\n';
        usage(std::cerr);
        return EX_USAGE;
    }
    if (o.json && !o.dry_run) {
        std::cerr << "sendsentry-bounce: --json needs --dry-run\n";
        return EX_USAGE;
    }
    if (!o.config_given)
        o.config_path = config::default_path;
    return EX_OK;
}

// Loads the configuration; a dry run without -c runs on defaults.
int load_config(const Options& o, config::Config& out)
{
    if (o.dry_run && !o.config_given)
        return EX_OK;
    auto cfg = config::load(o.config_path);
    if (!cfg) {
        std::cerr << cfg.error().message << '\n';
        return EX_CONFIG;
    }
    out = std::move(cfg.value());
    return EX_OK;
}

void print_report(const mail::BounceReport& report, bool json)
{
    if (!json)
        std::cout << "kind=" << mail::to_string(report.kind) << " reader=" << report.why
                  << " sender_domain=" << report.sender_domain << '\n';
    for (const mail::Failure& f : report.failures) {
        if (json) {
            std::cout << bounce::failure_json(f, report) << '\n';
        } else {
            std::cout << f.recipient << ' ' << (f.status.empty() ? "-" : f.status) << ' ' << f.reason
                      << (f.hard ? " hard" : " soft") << '\n';
        }
    }
}

int run(int argc, char** argv)
{
    Options o;
    int rc = parse_options(argc, argv, o);
    if (rc == -1)
        return EX_OK;
    if (rc != EX_OK)
        return rc;
    bool foreground = o.dry_run || o.check_config || !o.batch.empty() || isatty(STDERR_FILENO);
    if (o.dry_run)
        log::init_stderr_only(log::Severity::warning);
    else
        log::init("sendsentry-bounce", foreground);

    config::Config cfg;
    rc = load_config(o, cfg);
    if (rc == EX_OK && o.check_config) {
        if (auto s = bounce::check_return_path(cfg); !s) {
            std::cerr << s.error().message << '\n';
            return EX_CONFIG;
        }
    }
    if (rc != EX_OK || o.check_config) {
        if (rc == EX_OK)
            std::cout << o.config_path << ": ok\n";
        return rc;
    }

    if (!o.batch.empty())
        return bounce::run_batch(o.batch, cfg, o.dry_run, o.json);

    auto message = bounce::read_message(STDIN_FILENO);
    if (!message) {
        log::Logger("sendsentry-bounce").error("read-failed", { { "error", message.error().message } });
        return EX_TEMPFAIL;
    }
    // The token is read before the store opens: it costs one HMAC per key.
    auto envelope = bounce::read_envelope(
        cfg, o.sender, o.recipient, std::time(nullptr), log::Logger("sendsentry-bounce"));
    if (!envelope) {
        log::Logger("sendsentry-bounce")
            .error("return path unreadable", { { "error", envelope.error().message } });
        return EX_TEMPFAIL; // e.g. a key file we may not read: retry once it is fixed
    }
    mail::BounceReport report = mail::parse_bounce(message->text, *envelope);
    if (o.dry_run) {
        print_report(report, o.json);
        return EX_OK;
    }
    auto recorder = bounce::Recorder::open(cfg);
    if (!recorder)
        return EX_TEMPFAIL; // no store: pipe(8) keeps the message and retries
    return recorder->record(*envelope, *message, report);
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        // Whatever broke, pipe(8) must retry rather than lose the bounce.
        std::cerr << "sendsentry-bounce: " << e.what() << '\n';
        return EX_TEMPFAIL;
    } catch (...) {
        std::cerr << "sendsentry-bounce: unexpected failure\n";
        return EX_TEMPFAIL;
    }
}
