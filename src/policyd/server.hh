// The policy daemon's event loop: one thread, epoll, non-blocking sockets, a
// buffer and a Session per connection, one request answered at a time; plus
// signals (signalfd) and timers for write-behind and override polling.
// Used by main.cc only.
#pragma once

#include "core/log.hh"
#include "core/result.hh"
#include "core/unique_fd.hh"
#include "persister.hh"
#include "policy/listen_address.hh"
#include "policy/policy_codec.hh"
#include "policy/policy_engine.hh"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct epoll_event;

namespace sendsentry::policyd {

struct ServerOptions {
    std::size_t max_connections = 4096;
    policy::TimeUs idle_timeout = 3600 * policy::us_per_second;
    policy::CodecLimits codec;
};

// Opens a listening socket: non-blocking, close-on-exec; a unix socket gets
// OWNER ("user[:group]", may be empty) and MODE.
[[nodiscard]] Result<UniqueFd> open_listener(
    const policy::ListenAddress& address, const std::string& owner, int mode);

class Server {
public:
    // Called on SIGHUP: reload config and reconfigure; the error is logged
    // and the old settings stay.
    using ReloadHook = std::function<Status()>;
    // Called about once a second: poll overrides, reset requests.
    using TickHook = std::function<void(policy::TimeUs now)>;

    Server(policy::PolicyEngine& engine, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void set_options(ServerOptions options) { options_ = options; }
    // Writes behind on PERSISTER's thread instead of in the loop.
    [[nodiscard]] Status use_persister(Persister& persister);
    void on_reload(ReloadHook hook) { reload_ = std::move(hook); }
    void on_tick(TickHook hook) { tick_ = std::move(hook); }

    [[nodiscard]] Status add_listener(UniqueFd fd, std::string name);
    // Runs until SIGTERM or SIGINT, then drains and persists. Returns the
    // final flush's status.
    [[nodiscard]] Status run();

private:
    struct Connection;
    struct Listener {
        UniqueFd fd;
        std::string name;
        bool tcp = false; // its clients get TCP_NODELAY
    };

    [[nodiscard]] Status setup_signals();
    // One ready descriptor from epoll_wait.
    void dispatch(const struct epoll_event& event);
    void accept_all(Listener& listener);
    void on_readable(Connection& c);
    void on_writable(Connection& c);
    void answer_pending(Connection& c);
    bool flush_output(Connection& c);
    void close_connection(std::uint64_t id, std::string_view why);
    void expire_idle(policy::TimeUs now);
    void timers(policy::TimeUs now);
    void handle_signal();
    void persist(policy::TimeUs now);
    void persist_done(policy::TimeUs now);

    policy::PolicyEngine& engine_;
    ServerOptions options_;
    Persister* persister_ = nullptr;
    ReloadHook reload_;
    TickHook tick_;
    UniqueFd epoll_;
    UniqueFd signal_fd_;
    UniqueFd spare_fd_; // closed to accept-and-drop when out of descriptors (EMFILE)
    std::vector<Listener> listeners_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::uint64_t next_id_ = 1;
    bool stopping_ = false;
    policy::TimeUs last_tick_ = 0;
    policy::TimeUs last_idle_scan_ = 0;
    std::uint64_t requests_ = 0;
    // The request being answered; reused, so that its buffers are too.
    policy::PolicyRequest request_;
    log::Logger log_ { "policyd" };
};

policy::TimeUs now_us() noexcept;

// Blocks SIGHUP, SIGTERM and SIGINT (read later through a signalfd) and
// ignores SIGPIPE. Call before starting any thread.
[[nodiscard]] Status block_signals();

} // namespace sendsentry::policyd
