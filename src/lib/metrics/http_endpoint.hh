// `sendsentry metrics --listen 127.0.0.1:PORT`: a small blocking HTTP/1.0
// server on a loopback address that answers GET /metrics with the
// Prometheus text a fresh read of the store gives, one connection at a time.
// Loopback only: the metrics name senders and volumes and have no
// authentication. The request parsing is pure and tested on its own.
#pragma once

#include "core/result.hh"
#include "policy/listen_address.hh"

#include <functional>
#include <string>
#include <string_view>

namespace sendsentry::metrics {

// A request head larger than this is refused (431): a scrape sends a few
// hundred bytes, and nothing else has any business here.
inline constexpr std::size_t max_request_head = 8192;
// A client that sends nothing for this long is dropped, so one stuck client
// cannot hold the single-threaded server.
inline constexpr int request_timeout_seconds = 5;

struct HttpReply {
    int status = 200;
    std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
};

// "127.0.0.1:9187" or "[::1]:9187"; anything but loopback is an error.
[[nodiscard]] Result<policy::ListenAddress> parse_metrics_listen(std::string_view text);

// The reply to one request head (up to the blank line): 200 with RENDER's
// text for GET or HEAD /metrics, 404 for other paths, 405 for other methods,
// 400 for a malformed request line, 503 when RENDER fails (store locked).
HttpReply answer(std::string_view head, const std::function<Result<std::string>()>& render);

// Status line, Content-Type, Content-Length, Connection: close, blank line, body.
std::string format_reply(const HttpReply& reply, bool with_body = true);

// Binds ADDRESS and serves until a signal that ends the process; returns
// only on a bind or accept failure.
[[nodiscard]] Status serve(
    const policy::ListenAddress& address, const std::function<Result<std::string>()>& render);

} // namespace sendsentry::metrics
