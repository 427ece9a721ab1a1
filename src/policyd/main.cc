// sendsentry-policyd: the Postfix policy service (check_policy_service) for
// rate limits, suppression, approved and suspended senders. main reads
// options and config, opens the listeners, drops privileges, opens the store,
// wires the engine to the event loop and runs it.
#include "core/config.hh"
#include "core/log.hh"
#include "policy/limit_override_store.hh"
#include "policy/listen_address.hh"
#include "policy/policy_engine.hh"
#include "policy/policy_settings.hh"
#include "server.hh"
#include "store/store.hh"

#include <cstdio>
#include <cstring>
#include <grp.h>
#include <iostream>
#include <malloc.h>
#include <optional>
#include <pwd.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

using namespace sendsentry;

namespace {

struct Options {
    std::string config_path = config::default_path;
    bool foreground = false;
    bool check_only = false;
};

void usage()
{
    std::cerr << "usage: sendsentry-policyd [-c CONFIG] [-f] [-n]\n"
                 "  -c CONFIG  configuration file (default "
              << config::default_path
              << ")\n"
                 "  -f         stay in the foreground and log to stderr as well\n"
                 "  -n         check the configuration, print problems and exit\n";
}

std::optional<Options> parse_options(int argc, char** argv)
{
    Options o;
    int opt;
    while ((opt = getopt(argc, argv, "c:fnh")) != -1) {
        switch (opt) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'f':
            o.foreground = true;
            break;
        case 'n':
            o.check_only = true;
            break;
        default:
            return std::nullopt;
        }
    }
    if (optind != argc)
        return std::nullopt;
    return o;
}

// Config file plus the [policyd] settings and listeners, all validated.
struct Loaded {
    config::Config config;
    policy::PolicySettings settings;
    std::vector<policy::ListenAddress> listen;
};

Result<Loaded> load(const std::string& path)
{
    auto cfg = config::load(path);
    if (!cfg)
        return cfg.error();
    auto settings = policy::settings_from(*cfg);
    std::string errors = settings ? "" : settings.error().message;
    std::vector<policy::ListenAddress> listen;
    for (const std::string& word : cfg->list("policyd", "listen")) {
        auto a = policy::parse_listen_address(word);
        if (a)
            listen.push_back(*a);
        else
            errors += (errors.empty() ? "" : "\n") + std::string("[policyd] listen: ") + a.error().message;
    }
    if (listen.empty() && errors.empty())
        errors = "[policyd] listen: no listener configured";
    if (!errors.empty())
        return make_error(ErrorKind::invalid, path + ":\n" + errors);
    return Loaded { std::move(*cfg), std::move(*settings), std::move(listen) };
}

policyd::ServerOptions server_options(const config::Config& cfg)
{
    policyd::ServerOptions o;
    o.max_connections = static_cast<std::size_t>(cfg.integer("policyd", "max_connections"));
    o.idle_timeout = cfg.duration("policyd", "idle_timeout").count() * policy::us_per_second;
    return o;
}

Status drop_privileges(const std::string& user)
{
    if (user.empty())
        return {};
    struct passwd* pw = getpwnam(user.c_str());
    if (!pw)
        return make_error(ErrorKind::invalid, "[policyd] user: no such user " + user);
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        return make_error(ErrorKind::io, "cannot become " + user + ": " + std::strerror(errno));
    if (setuid(0) == 0)
        return make_error(ErrorKind::internal, "could regain root after dropping privileges");
    return {};
}

// Hundreds of smtpd processes each hold a connection: use every descriptor
// the hard limit allows.
void raise_descriptor_limit()
{
    struct rlimit rl { };
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Polls `sendsentry limit set|reset` once a second: overrides replace the
// engine's, reset requests newer than the last one seen are applied.
class OverridePoller {
public:
    OverridePoller(policy::LimitOverrideStore store, policy::PolicyEngine& engine)
        : store_(std::move(store))
        , engine_(engine)
    {
    }

    Status start()
    {
        // Requests made before this start are already in the persisted state
        // (the CLI also writes it at rest).
        auto resets = store_.resets_after(0);
        if (!resets)
            return resets.error();
        for (const auto& r : *resets)
            last_reset_ = std::max(last_reset_, r.first);
        return poll(0);
    }

    Status poll(policy::TimeUs now)
    {
        auto overrides = store_.load();
        if (!overrides)
            return overrides.error();
        engine_.set_store_overrides(std::move(*overrides));
        auto resets = store_.resets_after(last_reset_);
        if (!resets)
            return resets.error();
        for (const auto& [id, key] : *resets) {
            engine_.reset_key(key);
            last_reset_ = id;
            log::Logger("policyd").info("limit_reset", { { "key", key } });
        }
        if (now > 0 && !resets->empty())
            (void)store_.forget_resets(now / policy::us_per_second - 86400);
        return {};
    }

private:
    policy::LimitOverrideStore store_;
    policy::PolicyEngine& engine_;
    std::int64_t last_reset_ = 0;
};

int run(const Options& options)
{
    auto loaded = load(options.config_path);
    if (!loaded) {
        std::cerr << "sendsentry-policyd: " << loaded.error().message << '\n';
        return EX_CONFIG;
    }
    if (options.check_only) {
        std::cout << options.config_path << ": ok\n";
        return 0;
    }
    log::init("sendsentry-policyd", options.foreground);
    log::Logger logger("policyd");
    // Before any thread starts: the writer thread must inherit the blocked
    // set, or a SIGHUP delivered to it would end the process instead of
    // reaching the event loop's signalfd.
    if (auto st = policyd::block_signals(); !st) {
        logger.crit("signals", { { "error", st.error().message } });
        return EX_OSERR;
    }

    std::vector<std::pair<UniqueFd, std::string>> listeners;
    for (const policy::ListenAddress& a : loaded->listen) {
        auto fd = policyd::open_listener(a, loaded->config.string("policyd", "socket_owner"),
            static_cast<int>(loaded->config.integer("policyd", "socket_mode")));
        if (!fd) {
            logger.crit("listen_failed", { { "address", a.str() }, { "error", fd.error().message } });
            return EX_UNAVAILABLE;
        }
        listeners.emplace_back(std::move(*fd), a.str());
    }
    raise_descriptor_limit();
    if (auto st = drop_privileges(loaded->config.string("policyd", "user")); !st) {
        logger.crit("privileges", { { "error", st.error().message } });
        return EX_OSERR;
    }

    auto store = store::open(loaded->config);
    if (!store) {
        logger.crit("store_open_failed", { { "error", store.error().message } });
        return EX_UNAVAILABLE;
    }
    auto overrides = policy::LimitOverrideStore::open(loaded->config.string("store", "path"),
        loaded->config.duration("store", "busy_timeout").count() * 1000);
    if (!overrides) {
        logger.crit("store_open_failed", { { "error", overrides.error().message } });
        return EX_UNAVAILABLE;
    }

    policy::PolicyEngine engine(**store, loaded->settings);
    if (auto st = engine.load_state(); !st) {
        logger.crit("state_load_failed", { { "error", st.error().message } });
        return EX_UNAVAILABLE;
    }
    logger.info("state_loaded", { { "keys", engine.limiter().size() } });
    OverridePoller poller(std::move(*overrides), engine);
    if (auto st = poller.start(); !st)
        logger.warning("overrides_unavailable", { { "error", st.error().message } });

    // The writer thread's own connection: a Store serves one thread.
    auto writer_store = store::open(loaded->config);
    if (!writer_store) {
        logger.crit("store_open_failed", { { "error", writer_store.error().message } });
        return EX_UNAVAILABLE;
    }
    policyd::Persister persister(std::move(*writer_store));
    policyd::Server server(engine, server_options(loaded->config));
    if (auto st = server.use_persister(persister); !st) {
        logger.crit("persister", { { "error", st.error().message } });
        return EX_OSERR;
    }
    for (auto& [fd, name] : listeners)
        if (auto st = server.add_listener(std::move(fd), name); !st) {
            logger.crit("listen_failed", { { "error", st.error().message } });
            return EX_OSERR;
        }
    const std::vector<std::string> listen_words = loaded->config.list("policyd", "listen");
    server.on_reload([&]() -> Status {
        auto again = load(options.config_path);
        if (!again)
            return again.error();
        if (again->config.list("policyd", "listen") != listen_words)
            logger.warning("listen_changed", { { "note", "new listeners take effect at restart" } });
        engine.reconfigure(again->settings);
        server.set_options(server_options(again->config));
        return {};
    });
    bool poll_failing = false;
    server.on_tick([&](policy::TimeUs now) {
        Status st = poller.poll(now);
        if (!st && !poll_failing)
            logger.warning("overrides_poll_failed", { { "error", st.error().message } });
        poll_failing = !st;
    });

    Status st = server.run();
    for (const policy::ListenAddress& a : loaded->listen)
        if (a.family == policy::ListenAddress::Family::unix_path)
            unlink(a.path.c_str());
    if (!st) {
        logger.error("exit_unsaved", { { "error", st.error().message } });
        return EX_TEMPFAIL;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // No fastbins: small blocks that miss the per-thread cache are merged as
    // they are freed, not all at once by the next large allocation
    // (malloc_consolidate), which stalled the event loop for about a
    // millisecond after each write-behind batch.
    mallopt(M_MXFAST, 0);
    auto options = parse_options(argc, argv);
    if (!options) {
        usage();
        return EX_USAGE;
    }
    try {
        return run(*options);
    } catch (const std::exception& e) {
        log::Logger("policyd").crit("fatal", { { "error", e.what() } });
        return EX_SOFTWARE;
    }
}
