// The loopback /metrics server: request parsing, replies and the accept loop.
#include "metrics/http_endpoint.hh"

#include "core/log.hh"
#include "core/unique_fd.hh"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sendsentry::metrics {
namespace {

    const char* status_text(int status)
    {
        switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 431:
            return "Request Header Fields Too Large";
        default:
            return "Service Unavailable";
        }
    }

    HttpReply plain(int status, std::string body)
    {
        return { status, "text/plain; charset=utf-8", std::move(body) };
    }

    // Reads up to the end of the request head, at most max_request_head
    // bytes; "" when the client sent nothing usable in time.
    std::string read_head(int fd, bool& too_large)
    {
        std::string head;
        char buf[1024];
        while (head.size() < max_request_head) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return head;
            head.append(buf, static_cast<std::size_t>(n));
            if (head.find("\r\n\r\n") != std::string::npos || head.find("\n\n") != std::string::npos)
                return head;
        }
        too_large = true;
        return head;
    }

    void send_all(int fd, std::string_view text)
    {
        while (!text.empty()) {
            ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return; // the client went away: nothing to tell it
            text.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    Result<UniqueFd> listen_on(const policy::ListenAddress& a)
    {
        bool v6 = a.family == policy::ListenAddress::Family::ipv6;
        UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (fd.get() < 0)
            return make_error(ErrorKind::io, std::string("socket: ") + std::strerror(errno));
        int one = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_storage ss {};
        socklen_t len = 0;
        if (v6) {
            auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
            s6->sin6_family = AF_INET6;
            s6->sin6_port = htons(static_cast<std::uint16_t>(a.port));
            ::inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr);
            len = sizeof *s6;
        } else {
            auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
            s4->sin_family = AF_INET;
            s4->sin_port = htons(static_cast<std::uint16_t>(a.port));
            ::inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr);
            len = sizeof *s4;
        }
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd.get(), 16) != 0)
            return make_error(ErrorKind::io, "listen on " + a.str() + ": " + std::strerror(errno));
        return fd;
    }

} // namespace

Result<policy::ListenAddress> parse_metrics_listen(std::string_view text)
{
    auto a = policy::parse_listen_address("inet:" + std::string(text));
    if (!a)
        return make_error(ErrorKind::invalid,
            "--listen " + std::string(text) + ": expected 127.0.0.1:PORT or [::1]:PORT (" + a.error().message
                + ")");
    return a;
}

HttpReply answer(std::string_view head, const std::function<Result<std::string>()>& render)
{
    std::string_view line = head.substr(0, head.find('\n'));
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || !line.substr(sp2 + 1).starts_with("HTTP/"))
        return plain(400, "bad request\n");
    std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view path = target.substr(0, target.find('?')); // Prometheus may add ?params
    if (path != "/metrics")
        return plain(404, "only /metrics is served here\n");
    if (method != "GET" && method != "HEAD")
        return plain(405, "GET /metrics\n");
    auto text = render();
    if (!text)
        return plain(503, "store: " + text.error().message + "\n");
    return { 200, "text/plain; version=0.0.4; charset=utf-8", std::move(*text) };
}

std::string format_reply(const HttpReply& r, bool with_body)
{
    std::string out = "HTTP/1.0 " + std::to_string(r.status) + " " + status_text(r.status) + "\r\n";
    out += "Content-Type: " + r.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (with_body)
        out += r.body;
    return out;
}

Status serve(const policy::ListenAddress& address, const std::function<Result<std::string>()>& render)
{
    auto listener = listen_on(address);
    if (!listener)
        return std::move(listener).error();
    log::Logger logger("metrics");
    logger.info("listening", { { "address", address.str() } });
    for (;;) {
        UniqueFd client(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (client.get() < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                ::usleep(100000); // out of descriptors: wait instead of spinning
                continue;
            }
            return make_error(ErrorKind::io, std::string("accept: ") + std::strerror(errno));
        }
        timeval tv { request_timeout_seconds, 0 };
        ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        bool too_large = false;
        std::string head = read_head(client.get(), too_large);
        if (head.empty())
            continue;
        HttpReply reply = too_large ? plain(431, "request head too large\n") : answer(head, render);
        if (reply.status == 503)
            logger.warning("scrape_failed", { { "error", reply.body } });
        send_all(client.get(), format_reply(reply, !head.starts_with("HEAD ")));
    }
}

} // namespace sendsentry::metrics
