// sendsentry-milter: DKIM-signs outbound mail for Postfix (smtpd_milters,
// non_smtpd_milters) and checks its SPF/DMARC alignment. main reads options,
// loads the configuration and keys, opens the socket, drops privileges, and
// runs libmilter; SIGHUP reloads keys, tables and the checker without
// dropping connections.
#include "core/log.hh"
#include "milter/callbacks.hh"
#include "milter/engine.hh"
#include "milter/milter_socket.hh"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sysexits.h>
#include <thread>
#include <unistd.h>

using namespace sendsentry;

namespace {

struct Options {
    std::string config = config::default_path;
    bool foreground = false;
    bool check = false;
};

void usage()
{
    std::fprintf(stderr,
        "usage: sendsentry-milter [-c FILE] [-f] [-n]\n"
        "  -c FILE  configuration (default %s)\n"
        "  -f       stay in the foreground and log to stderr as well\n"
        "  -n       check the configuration and keys, then exit\n",
        config::default_path);
}

bool parse_options(int argc, char** argv, Options& o)
{
    int c;
    while ((c = ::getopt(argc, argv, "c:fnh")) != -1) {
        switch (c) {
        case 'c':
            o.config = optarg;
            break;
        case 'f':
            o.foreground = true;
            break;
        case 'n':
            o.check = true;
            break;
        default:
            return false;
        }
    }
    return optind == argc;
}

// SIGHUP: libmilter's own signal thread treats SIGHUP like SIGTERM (it stops
// the milter), so libmilter runs in a second thread, where it blocks SIGHUP
// for itself and its workers, and the main thread — the one thread with
// SIGHUP unblocked, which the kernel picks first for a signal sent to the
// process — catches it. The handler only writes to a pipe.
int reload_pipe[2] = { -1, -1 };

extern "C" void on_sighup(int) noexcept
{
    int saved = errno;
    char b = 'r';
    [[maybe_unused]] ssize_t n = ::write(reload_pipe[1], &b, 1);
    errno = saved;
}

void install_sighup()
{
    if (::pipe2(reload_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::runtime_error("pipe2 failed");
    struct sigaction sa { };
    sa.sa_handler = on_sighup;
    sa.sa_flags = SA_RESTART | SA_NODEFER; // never blocked here, even while handling one
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGHUP, &sa, nullptr);
}

void reload(const std::string& path, milter::EngineSlot& engines)
{
    log::Logger log("reload");
    auto engine = milter::load_engine(path);
    if (!engine) {
        log.error("reload refused; still using the previous keys and tables");
        return;
    }
    engines.set(std::move(*engine));
    log.info("reloaded", { { "file", path } });
}

// Main thread after start: reloads on SIGHUP until libmilter stops.
void serve_reloads(const std::string& path, milter::EngineSlot& engines, const std::atomic<bool>& stopped)
{
    while (!stopped) {
        pollfd p { reload_pipe[0], POLLIN, 0 };
        if (::poll(&p, 1, 500) <= 0)
            continue;
        char buf[64];
        while (::read(reload_pipe[0], buf, sizeof buf) > 0) { }
        reload(path, engines);
    }
}

int run(const Options& o)
{
    log::Logger log("milter");
    auto cfg = config::load(o.config);
    if (!cfg) {
        std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
        return EX_CONFIG;
    }
    auto socket = milter::parse_socket(cfg->string("milter", "socket"));
    if (!socket) {
        std::fprintf(stderr, "%s: %s\n", o.config.c_str(), socket.error().message.c_str());
        return EX_CONFIG;
    }
    auto engine = milter::load_engine(o.config);
    if (!engine) {
        std::fprintf(stderr, "%s\n", engine.error().message.c_str());
        return EX_CONFIG;
    }
    if (o.check) {
        std::printf("%s: ok (%s)\n", o.config.c_str(), (*engine)->keyring->describe().c_str());
        return 0;
    }
    milter::EngineSlot engines;
    engines.set(std::move(*engine));
    smfiDesc desc = milter::make_callbacks(engines);
    if (smfi_register(desc) != MI_SUCCESS) {
        log.crit("smfi_register failed");
        return EX_SOFTWARE;
    }
    // A deep accept queue: a burst of Postfix processes connecting at once
    // must not see refused connections.
    smfi_setbacklog(1024);
    if (auto s = milter::open_socket(*socket, cfg->string("milter", "socket_owner"),
            static_cast<int>(cfg->integer("milter", "socket_mode")));
        !s) {
        log.crit("socket", { { "error", s.error().message } });
        return EX_UNAVAILABLE;
    }
    if (auto s = milter::drop_privileges(cfg->string("milter", "user")); !s) {
        log.crit("privileges", { { "error", s.error().message } });
        return EX_NOPERM;
    }
    install_sighup();
    // SIGTERM and SIGINT belong to libmilter's signal thread; block them here
    // (the milter thread inherits this mask, libmilter adds SIGHUP to it).
    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    ::sigaddset(&term, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &term, nullptr);
    log.info("started", { { "socket", socket->libmilter }, { "config", o.config } });
    std::atomic<bool> stopped { false };
    int rc = MI_FAILURE;
    std::thread milter_thread([&] {
        rc = smfi_main();
        stopped = true;
    });
    serve_reloads(o.config, engines, stopped);
    milter_thread.join();
    log.info("stopped");
    return rc == MI_SUCCESS ? 0 : EX_SOFTWARE;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    if (!parse_options(argc, argv, o)) {
        usage();
        return EX_USAGE;
    }
    log::init("sendsentry-milter", o.foreground);
    try {
        return run(o);
    } catch (const std::exception& e) {
        log::Logger("milter").crit("start failed", { { "error", e.what() } });
        return EX_SOFTWARE;
    }
}
