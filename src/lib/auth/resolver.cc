// Stub resolver: one recursive server, UDP with retransmission, TCP when the
// answer is truncated, a TTL cache, and a hard deadline on every wait.
#include "auth/resolver.hh"

#include "core/unique_fd.hh"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <unistd.h>

namespace sendsentry::auth {
namespace {

    std::uint16_t random_id()
    {
        thread_local std::mt19937 rng { std::random_device {}() };
        return static_cast<std::uint16_t>(rng());
    }

    // Milliseconds until DEADLINE (capped by CAP), 0 when it has passed.
    int remaining_ms(Deadline deadline, std::chrono::milliseconds cap)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        left = std::min(left, cap);
        return left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }

    // Waits for EVENTS on FD until DEADLINE; false on timeout or error.
    bool wait_for(
        int fd, short events, Deadline deadline, std::chrono::milliseconds cap = std::chrono::hours(1))
    {
        for (;;) {
            int ms = remaining_ms(deadline, cap);
            if (ms == 0)
                return false;
            pollfd p { fd, events, 0 };
            int n = ::poll(&p, 1, ms);
            if (n > 0)
                return (p.revents & (events | POLLERR | POLLHUP)) != 0;
            if (n == 0)
                return false;
            if (errno != EINTR)
                return false;
        }
    }

    DnsAnswer temporary(std::string reason)
    {
        DnsAnswer a;
        a.status = DnsStatus::temporary;
        a.reason = std::move(reason);
        return a;
    }

    bool same_name(std::string_view a, std::string_view b)
    {
        if (!a.empty() && a.back() == '.')
            a.remove_suffix(1);
        if (!b.empty() && b.back() == '.')
            b.remove_suffix(1);
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
            auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
            return lower(x) == lower(y);
        });
    }

    // Turns a decoded response into an answer for TYPE.
    DnsAnswer interpret(DnsResponse&& resp, RrType type, std::uint32_t& ttl)
    {
        DnsAnswer a;
        ttl = resp.negative_ttl;
        switch (resp.rcode) {
        case Rcode::noerror:
            break;
        case Rcode::nxdomain:
            a.status = DnsStatus::nxdomain;
            return a;
        default:
            return temporary("server answered rcode " + std::to_string(static_cast<int>(resp.rcode)));
        }
        std::uint32_t min_ttl = UINT32_MAX;
        for (DnsRecord& r : resp.answers) {
            if (r.type != type)
                continue; // the CNAME chain; the recursive server followed it
            min_ttl = std::min(min_ttl, r.ttl);
            a.records.push_back(std::move(r));
        }
        if (a.records.empty()) {
            a.status = DnsStatus::nodata;
        } else {
            a.status = DnsStatus::found;
            ttl = min_ttl;
        }
        return a;
    }

    Result<DnsResponse> exchange_tcp(const ServerAddress& server, const std::string& query, Deadline deadline)
    {
        UniqueFd fd(::socket(server.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (fd.get() < 0)
            return make_error(ErrorKind::temporary, std::string("socket: ") + std::strerror(errno));
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server.addr), server.len) < 0
            && errno != EINPROGRESS)
            return make_error(ErrorKind::temporary, std::string("connect: ") + std::strerror(errno));
        if (!wait_for(fd.get(), POLLOUT, deadline))
            return make_error(ErrorKind::temporary, "TCP connect timed out");
        int err = 0;
        socklen_t errlen = sizeof err;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0)
            return make_error(ErrorKind::temporary, std::string("TCP connect: ") + std::strerror(err));
        std::string out;
        out += char((query.size() >> 8) & 0xff);
        out += char(query.size() & 0xff);
        out += query;
        std::size_t sent = 0;
        while (sent < out.size()) {
            ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (!wait_for(fd.get(), POLLOUT, deadline))
                    return make_error(ErrorKind::temporary, "TCP send timed out");
            } else {
                return make_error(ErrorKind::temporary, "TCP send failed");
            }
        }
        std::string in;
        std::size_t want = 2;
        char buf[4096];
        while (in.size() < want) {
            if (!wait_for(fd.get(), POLLIN, deadline))
                return make_error(ErrorKind::temporary, "TCP answer timed out");
            ssize_t n = ::recv(fd.get(), buf, std::min(sizeof buf, want - in.size()), 0);
            if (n == 0)
                return make_error(ErrorKind::temporary, "TCP connection closed early");
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                return make_error(ErrorKind::temporary, "TCP receive failed");
            }
            in.append(buf, static_cast<std::size_t>(n));
            if (want == 2 && in.size() == 2) {
                want = 2
                    + ((std::size_t(static_cast<std::uint8_t>(in[0])) << 8)
                        | static_cast<std::uint8_t>(in[1]));
                if (want == 2)
                    return make_error(ErrorKind::temporary, "empty TCP answer");
            }
        }
        return decode_response(std::string_view(in).substr(2));
    }

} // namespace

const char* to_string(DnsStatus status) noexcept
{
    switch (status) {
    case DnsStatus::found:
        return "found";
    case DnsStatus::nxdomain:
        return "nxdomain";
    case DnsStatus::nodata:
        return "nodata";
    case DnsStatus::temporary:
        return "temporary";
    }
    return "?";
}

Result<ServerAddress> parse_server_address(std::string_view text)
{
    std::string host;
    std::string_view port_text = "53";
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos)
            return make_error(ErrorKind::invalid, "resolver address: missing ']'");
        host = text.substr(1, close - 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return make_error(ErrorKind::invalid, "resolver address: expected ':' after ']'");
            port_text = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    } else {
        host = text; // IPv4 or bare IPv6
    }
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
        return make_error(ErrorKind::invalid, "resolver address: bad port in '" + std::string(text) + "'");
    ServerAddress out;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
        out.len = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        out.len = sizeof(sockaddr_in6);
    } else {
        return make_error(ErrorKind::invalid,
            "resolver address: '" + std::string(text) + "' is not an IP address (HOST:PORT, [V6]:PORT)");
    }
    return out;
}

Resolver::Resolver(ServerAddress server, ResolverOptions options)
    : server_(server)
    , options_(std::move(options))
{
}

Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverOptions& options)
{
    auto addr = parse_server_address(options.server);
    if (!addr)
        return std::move(addr).error();
    return std::make_unique<Resolver>(*addr, options);
}

std::size_t Resolver::cache_size() const
{
    std::lock_guard lock(mutex_);
    return cache_.size();
}

DnsAnswer Resolver::query(std::string_view name, RrType type, Deadline deadline)
{
    std::string lower(name);
    if (!lower.empty() && lower.back() == '.')
        lower.pop_back();
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    Key key { lower, static_cast<std::uint16_t>(type) };
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(key);
        if (it != cache_.end()) {
            if (it->second.expires > Clock::now()) {
                DnsAnswer a = it->second.answer;
                a.from_cache = true;
                return a;
            }
            cache_.erase(it);
        }
    }
    if (!valid_query_name(lower)) {
        // RFC 7208 4.3 / 5: a name that cannot be asked is treated as not existing.
        DnsAnswer a;
        a.status = DnsStatus::nxdomain;
        a.reason = "name exceeds DNS limits";
        return a;
    }
    DnsAnswer answer = ask_server(lower, type, deadline);
    return answer;
}

void Resolver::remember(const Key& key, const DnsAnswer& answer, std::chrono::seconds ttl)
{
    if (answer.status == DnsStatus::temporary || ttl.count() <= 0)
        return;
    ttl = std::min(ttl, options_.max_ttl);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= options_.cache_entries) {
        auto now = Clock::now();
        std::erase_if(cache_, [now](const auto& kv) { return kv.second.expires <= now; });
        if (cache_.size() >= options_.cache_entries)
            cache_.clear();
    }
    cache_[key] = Entry { answer, Clock::now() + ttl };
}

DnsAnswer Resolver::ask_server(std::string_view name, RrType type, Deadline deadline)
{
    std::uint16_t id = random_id();
    auto query = encode_query(id, name, type);
    if (!query)
        return temporary(query.error().message);
    UniqueFd fd(::socket(server_.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0)
        return temporary(std::string("socket: ") + std::strerror(errno));
    // A connected UDP socket only delivers datagrams from the server.
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server_.addr), server_.len) < 0)
        return temporary(std::string("connect: ") + std::strerror(errno));

    Result<DnsResponse> resp = make_error(ErrorKind::temporary, "DNS timeout");
    bool got = false;
    while (!got && remaining_ms(deadline, options_.retransmit) > 0) {
        if (::send(fd.get(), query->data(), query->size(), 0) < 0)
            return temporary(std::string("send: ") + std::strerror(errno));
        auto try_until = std::min(deadline, Clock::now() + options_.retransmit);
        while (wait_for(fd.get(), POLLIN, try_until)) {
            char buf[max_message_size];
            ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                // ICMP port unreachable: nobody listens; waiting will not help.
                return temporary(std::string("receive: ") + std::strerror(errno));
            }
            auto decoded = decode_response(std::string_view(buf, static_cast<std::size_t>(n)));
            if (!decoded || decoded->id != id || !same_name(decoded->question_name, name)
                || decoded->question_type != static_cast<std::uint16_t>(type))
                continue; // not our answer (RFC 5452 section 9.1); keep waiting
            resp = std::move(decoded);
            got = true;
            break;
        }
    }
    if (!got)
        return temporary("DNS timeout asking " + std::string(name) + " " + to_string(type));
    if (resp->truncated) {
        resp = exchange_tcp(server_, *query, deadline);
        if (!resp)
            return temporary(resp.error().message);
        if (resp->id != id || !same_name(resp->question_name, name))
            return temporary("TCP answer does not match the question");
    }
    std::uint32_t ttl = 0;
    DnsAnswer answer = interpret(std::move(*resp), type, ttl);
    std::chrono::seconds cache_ttl(ttl);
    if (answer.status != DnsStatus::found && ttl == 0)
        cache_ttl = options_.default_negative_ttl;
    remember(Key { std::string(name), static_cast<std::uint16_t>(type) }, answer, cache_ttl);
    return answer;
}

} // namespace sendsentry::auth
