// The epoll loop of sendsentry-policyd; see server.hh.
#include "server.hh"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

namespace sendsentry::policyd {

struct Server::Connection {
    std::uint64_t id = 0;
    UniqueFd fd;
    policy::RequestReader reader;
    policy::Session session;
    std::string out; // reply bytes not yet written
    std::size_t out_offset = 0;
    bool want_write = false; // EPOLLOUT registered
    policy::TimeUs last_active = 0;
    log::Logger log;
};

namespace {

    // epoll tags: connections are numbered from 1; listeners and the signal
    // descriptor use the top bits so that they can never collide.
    constexpr std::uint64_t signal_tag = 1ull << 63;
    constexpr std::uint64_t listener_tag = 1ull << 62;
    constexpr std::uint64_t persister_tag = 1ull << 61;

    // One read(2) takes at most this much; a request is far smaller, so one
    // read usually holds a whole request and costs one system call.
    constexpr std::size_t read_chunk = 16 * 1024;
    // How often idle connections are looked for, and at most how long the
    // loop sleeps (the write-behind and override poll run on this beat).
    constexpr policy::TimeUs tick_interval = policy::us_per_second / 4;
    // After SIGTERM, how long a connection in the middle of a request may
    // take to finish it.
    constexpr policy::TimeUs drain_grace = 2 * policy::us_per_second;

    std::string errno_text(int e) { return std::strerror(e); }

    Error sys_error(std::string what)
    {
        return make_error(ErrorKind::io, std::move(what) + ": " + errno_text(errno));
    }

    Status set_unix_owner(const std::string& path, const std::string& owner, int mode)
    {
        if (!owner.empty()) {
            std::string user = owner.substr(0, owner.find(':'));
            std::string group = owner.find(':') == std::string::npos ? "" : owner.substr(owner.find(':') + 1);
            uid_t uid = static_cast<uid_t>(-1);
            gid_t gid = static_cast<gid_t>(-1);
            if (!user.empty()) {
                struct passwd* pw = getpwnam(user.c_str());
                if (!pw)
                    return make_error(ErrorKind::invalid, "socket_owner: no such user " + user);
                uid = pw->pw_uid;
                if (group.empty())
                    gid = pw->pw_gid;
            }
            if (!group.empty()) {
                struct group* gr = getgrnam(group.c_str());
                if (!gr)
                    return make_error(ErrorKind::invalid, "socket_owner: no such group " + group);
                gid = gr->gr_gid;
            }
            if (chown(path.c_str(), uid, gid) != 0)
                return sys_error("chown " + path);
        }
        if (chmod(path.c_str(), static_cast<mode_t>(mode)) != 0)
            return sys_error("chmod " + path);
        return {};
    }

} // namespace

policy::TimeUs now_us() noexcept
{
    struct timespec ts { };
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<policy::TimeUs>(ts.tv_sec) * policy::us_per_second + ts.tv_nsec / 1000;
}

Result<UniqueFd> open_listener(const policy::ListenAddress& address, const std::string& owner, int mode)
{
    using Family = policy::ListenAddress::Family;
    int domain = address.family == Family::unix_path ? AF_UNIX
        : address.family == Family::ipv4             ? AF_INET
                                                     : AF_INET6;
    UniqueFd fd(socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd)
        return sys_error("socket for " + address.str());
    int one = 1;
    int rc = -1;
    if (address.family == Family::unix_path) {
        struct sockaddr_un sun { };
        sun.sun_family = AF_UNIX;
        std::memcpy(sun.sun_path, address.path.c_str(), address.path.size() + 1);
        // A socket left by a previous run would make bind fail; anything
        // that is not a socket is left alone.
        struct stat st { };
        if (lstat(address.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(address.path.c_str());
        // Created with no permissions, opened up by chmod below, so no client
        // can connect in between with the umask's mode.
        mode_t old = umask(0777);
        rc = bind(fd.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun);
        umask(old);
        if (rc == 0)
            if (auto st2 = set_unix_owner(address.path, owner, mode); !st2)
                return st2.error();
    } else if (address.family == Family::ipv4) {
        setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sin { };
        sin.sin_family = AF_INET;
        sin.sin_port = htons(static_cast<std::uint16_t>(address.port));
        inet_pton(AF_INET, address.host.c_str(), &sin.sin_addr);
        rc = bind(fd.get(), reinterpret_cast<struct sockaddr*>(&sin), sizeof sin);
    } else {
        setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        struct sockaddr_in6 sin6 { };
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(static_cast<std::uint16_t>(address.port));
        inet_pton(AF_INET6, address.host.c_str(), &sin6.sin6_addr);
        rc = bind(fd.get(), reinterpret_cast<struct sockaddr*>(&sin6), sizeof sin6);
    }
    if (rc != 0)
        return sys_error("bind " + address.str());
    // A backlog of SOMAXCONN: a Postfix restart reconnects every smtpd at once.
    if (listen(fd.get(), SOMAXCONN) != 0)
        return sys_error("listen " + address.str());
    return fd;
}

Server::Server(policy::PolicyEngine& engine, ServerOptions options)
    : engine_(engine)
    , options_(options)
    , epoll_(epoll_create1(EPOLL_CLOEXEC))
    , spare_fd_(open("/dev/null", O_RDONLY | O_CLOEXEC))
{
}

Server::~Server() = default;

Status Server::add_listener(UniqueFd fd, std::string name)
{
    if (!epoll_)
        return sys_error("epoll_create1");
    struct epoll_event ev { };
    ev.events = EPOLLIN;
    ev.data.u64 = listener_tag | listeners_.size();
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0)
        return sys_error("epoll_ctl listener");
    int domain = 0;
    socklen_t size = sizeof domain;
    bool tcp = getsockopt(fd.get(), SOL_SOCKET, SO_DOMAIN, &domain, &size) == 0 && domain != AF_UNIX;
    listeners_.push_back(Listener { std::move(fd), std::move(name), tcp });
    return {};
}

Status Server::use_persister(Persister& persister)
{
    struct epoll_event ev { };
    ev.events = EPOLLIN;
    ev.data.u64 = persister_tag;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, persister.wake_fd(), &ev) != 0)
        return sys_error("epoll_ctl persister");
    persister_ = &persister;
    return {};
}

namespace {

    sigset_t handled_signals()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        return set;
    }

} // namespace

Status block_signals()
{
    sigset_t set = handled_signals();
    if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0)
        return sys_error("pthread_sigmask");
    // A client that closes while we write must not kill the daemon.
    std::signal(SIGPIPE, SIG_IGN);
    return {};
}

Status Server::setup_signals()
{
    if (auto st = block_signals(); !st)
        return st;
    sigset_t set = handled_signals();
    signal_fd_.reset(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signal_fd_)
        return sys_error("signalfd");
    struct epoll_event ev { };
    ev.events = EPOLLIN;
    ev.data.u64 = signal_tag;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, signal_fd_.get(), &ev) != 0)
        return sys_error("epoll_ctl signalfd");
    return {};
}

Status Server::run()
{
    if (auto st = setup_signals(); !st)
        return st;
    for (const Listener& l : listeners_)
        log_.info("listening", { { "address", l.name } });
    std::vector<struct epoll_event> events(256);
    policy::TimeUs drain_deadline = 0;
    for (;;) {
        policy::TimeUs now = now_us();
        if (stopping_) {
            if (drain_deadline == 0)
                drain_deadline = now + drain_grace;
            // Connections between requests have nothing in flight: close them.
            std::vector<std::uint64_t> idle;
            for (const auto& [id, c] : connections_)
                if (c->reader.buffered() == 0 && c->out_offset == c->out.size())
                    idle.push_back(id);
            for (std::uint64_t id : idle)
                close_connection(id, "shutdown");
            if (connections_.empty() || now >= drain_deadline)
                break;
        }
        int n = epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
            static_cast<int>(tick_interval / 1000));
        if (n < 0 && errno != EINTR)
            return sys_error("epoll_wait");
        for (int i = 0; i < n; ++i)
            dispatch(events[i]);
        timers(now_us());
    }
    for (auto it = connections_.begin(); it != connections_.end();)
        close_connection((it++)->first, "shutdown");
    if (persister_) {
        persister_->wait_idle();
        persist_done(now_us());
    }
    // The last write happens here, in this thread, on the engine's own store.
    if (auto st = engine_.flush(now_us()); !st)
        log_.error(
            "persist_failed", { { "error", st.error().message }, { "pending", engine_.pending_writes() } });
    log_.info("stopped", { { "requests", requests_ }, { "unsaved", engine_.pending_writes() } });
    if (engine_.pending_writes() > 0)
        return make_error(ErrorKind::temporary, "state not saved at shutdown");
    return {};
}

void Server::dispatch(const struct epoll_event& event)
{
    std::uint64_t tag = event.data.u64;
    if (tag == signal_tag) {
        handle_signal();
    } else if (tag == persister_tag) {
        persist_done(now_us());
    } else if (tag & listener_tag) {
        std::size_t index = tag & ~listener_tag;
        if (index < listeners_.size())
            accept_all(listeners_[index]);
    } else {
        auto it = connections_.find(tag);
        if (it == connections_.end())
            return; // closed earlier in this batch
        Connection& c = *it->second;
        if (event.events & EPOLLOUT)
            on_writable(c);
        if (connections_.count(tag) && (event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
            on_readable(c);
    }
}

void Server::accept_all(Listener& listener)
{
    for (;;) {
        int raw = accept4(listener.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (raw < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors: take the pending connection with the
                // spare one and close it, or epoll would wake us forever.
                log_.warning("out_of_descriptors", { { "connections", connections_.size() } });
                spare_fd_.reset();
                UniqueFd dropped(accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
                dropped.reset();
                spare_fd_.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_.error(
                    "accept_failed", { { "listener", listener.name }, { "error", errno_text(errno) } });
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        UniqueFd fd(raw);
        if (stopping_)
            continue;
        if (listener.tcp) {
            // A reply is one write; it must not wait for the ACK of the last.
            int one = 1;
            setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        if (connections_.size() >= options_.max_connections) {
            log_.warning("too_many_connections", { { "limit", options_.max_connections } });
            continue; // fd closes: Postfix sees EOF and applies its default action
        }
        auto c = std::make_unique<Connection>();
        c->id = next_id_++;
        c->reader = policy::RequestReader(options_.codec);
        c->last_active = now_us();
        c->log = log::Logger("policyd[" + std::to_string(c->id) + "]");
        struct epoll_event ev { };
        ev.events = EPOLLIN;
        ev.data.u64 = c->id;
        if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
            log_.error("epoll_ctl_failed", { { "error", errno_text(errno) } });
            continue;
        }
        c->fd = std::move(fd);
        connections_.emplace(c->id, std::move(c));
    }
}

void Server::on_readable(Connection& c)
{
    char buf[read_chunk];
    ssize_t n = read(c.fd.get(), buf, sizeof buf);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        close_connection(c.id, errno_text(errno));
        return;
    }
    if (n == 0) {
        if (c.reader.buffered() > 0)
            c.log.warning("incomplete_request", { { "bytes", c.reader.buffered() } });
        close_connection(c.id, "client closed");
        return;
    }
    c.last_active = now_us();
    c.reader.append(buf, static_cast<std::size_t>(n));
    answer_pending(c);
}

void Server::answer_pending(Connection& c)
{
    const std::uint64_t id = c.id;
    // One request at a time: while a reply is still being written, the
    // next request waits in the buffer.
    while (c.out_offset == c.out.size()) {
        auto status = c.reader.next(request_);
        if (status == policy::RequestReader::Status::need_more)
            return;
        if (status == policy::RequestReader::Status::error) {
            // Postfix would wait for a reply until its timeout; closing tells
            // it at once, and the log says why.
            c.log.warning("bad_request", { { "error", c.reader.error_message() } });
            close_connection(id, "bad request");
            return;
        }
        ++requests_;
        policy::Answer answer;
        try {
            answer = engine_.handle(request_, c.session, now_us());
        } catch (const std::exception& e) {
            c.log.error("request_failed", { { "error", e.what() } });
            answer.close = true;
        }
        if (answer.close) {
            close_connection(id, "could not tell");
            return;
        }
        c.out = policy::format_response(answer.action);
        c.out_offset = 0;
        if (!flush_output(c))
            return;
    }
}

bool Server::flush_output(Connection& c)
{
    while (c.out_offset < c.out.size()) {
        ssize_t n = write(c.fd.get(), c.out.data() + c.out_offset, c.out.size() - c.out_offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!c.want_write) {
                    struct epoll_event ev { };
                    ev.events = EPOLLIN | EPOLLOUT;
                    ev.data.u64 = c.id;
                    epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
                    c.want_write = true;
                }
                return false;
            }
            close_connection(c.id, errno_text(errno));
            return false;
        }
        c.out_offset += static_cast<std::size_t>(n);
    }
    c.out.clear();
    c.out_offset = 0;
    if (c.want_write) {
        struct epoll_event ev { };
        ev.events = EPOLLIN;
        ev.data.u64 = c.id;
        epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
        c.want_write = false;
    }
    return true;
}

void Server::on_writable(Connection& c)
{
    if (flush_output(c))
        answer_pending(c);
}

void Server::close_connection(std::uint64_t id, std::string_view why)
{
    auto it = connections_.find(id);
    if (it == connections_.end())
        return;
    if (why != "client closed" && why != "shutdown" && why != "idle")
        it->second->log.info("closed", { { "reason", why } });
    // Closing the descriptor removes it from the epoll set.
    connections_.erase(it);
}

void Server::expire_idle(policy::TimeUs now)
{
    std::vector<std::uint64_t> idle;
    for (const auto& [id, c] : connections_)
        if (now - c->last_active > options_.idle_timeout)
            idle.push_back(id);
    for (std::uint64_t id : idle)
        close_connection(id, "idle");
}

void Server::persist(policy::TimeUs now)
{
    if (!persister_) {
        if (auto st = engine_.flush(now); !st)
            log_.warning("persist_failed",
                { { "error", st.error().message }, { "pending", engine_.pending_writes() } });
        return;
    }
    if (persister_->busy())
        return; // the previous batch is still being written: next beat
    policy::PersistBatch batch = engine_.take_batch(now);
    if (batch.empty())
        engine_.batch_done(std::move(batch), Status {}, now);
    else
        persister_->submit(std::move(batch));
}

void Server::persist_done(policy::TimeUs now)
{
    auto result = persister_->take_result();
    if (!result)
        return;
    engine_.batch_done(std::move(result->first), result->second, now);
    if (!result->second)
        log_.warning("persist_failed",
            { { "error", result->second.error().message }, { "pending", engine_.pending_writes() } });
}

void Server::timers(policy::TimeUs now)
{
    if (engine_.flush_due(now))
        persist(now);
    if (now - last_tick_ >= policy::us_per_second) {
        last_tick_ = now;
        if (tick_)
            tick_(now);
    }
    if (now - last_idle_scan_ >= 10 * policy::us_per_second) {
        last_idle_scan_ = now;
        expire_idle(now);
    }
}

void Server::handle_signal()
{
    struct signalfd_siginfo info { };
    while (read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGHUP) {
            Status st = reload_ ? reload_() : Status {};
            if (st)
                log_.info("reloaded", { { "connections", connections_.size() } });
            else
                log_.error("reload_failed", { { "error", st.error().message } });
        } else if (!stopping_) {
            log_.info("stopping",
                { { "signal", static_cast<int>(info.ssi_signo) }, { "connections", connections_.size() } });
            stopping_ = true;
            // No new clients: Postfix connects to the next start of the daemon.
            listeners_.clear();
        }
    }
}

} // namespace sendsentry::policyd
