// The DNS layer under SPF and DMARC: a small stub resolver that asks one
// configured recursive server (UDP, TCP when truncated), caches answers for
// their TTL and never waits past the caller's deadline. Shared by every
// milter thread; used through the SPF DNS layer (spf_dns_layer.cc) and DMARC.
#pragma once

#include "auth/dns_message.hh"
#include "core/result.hh"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <tuple>
#include <vector>

namespace sendsentry::auth {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// found: at least one record of the asked type; nxdomain: the name does not
// exist; nodata: it exists without such records; temporary: could not tell
// (timeout, SERVFAIL, malformed answer, deadline passed).
enum class DnsStatus { found, nxdomain, nodata, temporary };

const char* to_string(DnsStatus status) noexcept;

struct DnsAnswer {
    DnsStatus status = DnsStatus::temporary;
    std::vector<DnsRecord> records; // only records of the asked type
    std::string reason; // why, for temporary
    bool from_cache = false;
};

struct ResolverOptions {
    // "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "::1".
    std::string server = "127.0.0.1:53";
    // One UDP try waits this long before it is sent again (RFC 1536 advises
    // retransmission rather than one long wait).
    std::chrono::milliseconds retransmit { 1000 };
    // At most this many entries; a full cache drops expired entries, then all.
    std::size_t cache_entries = 10000;
    // Upper bound on any TTL we honour, so a bad record cannot pin the cache.
    std::chrono::seconds max_ttl { 86400 };
    // TTL for a negative answer that carries no SOA (RFC 2308 section 5 says
    // such answers should not be cached for long).
    std::chrono::seconds default_negative_ttl { 60 };
};

// "HOST:PORT", "[V6]:PORT", "HOST" (port 53) into a socket address.
struct ServerAddress {
    sockaddr_storage addr {};
    socklen_t len = 0;
};
[[nodiscard]] Result<ServerAddress> parse_server_address(std::string_view text);

class Resolver {
public:
    explicit Resolver(ServerAddress server, ResolverOptions options);
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Makes a resolver for OPTIONS, or an error naming what is wrong.
    [[nodiscard]] static Result<std::unique_ptr<Resolver>> create(const ResolverOptions& options);

    // Answers NAME/TYPE from the cache or the server, giving up at DEADLINE.
    // Thread-safe.
    DnsAnswer query(std::string_view name, RrType type, Deadline deadline);

    std::size_t cache_size() const;
    const ResolverOptions& options() const noexcept { return options_; }

private:
    struct Entry {
        DnsAnswer answer;
        Clock::time_point expires;
    };
    using Key = std::tuple<std::string, std::uint16_t>;

    DnsAnswer ask_server(std::string_view name, RrType type, Deadline deadline);
    void remember(const Key& key, const DnsAnswer& answer, std::chrono::seconds ttl);

    ServerAddress server_;
    ResolverOptions options_;
    mutable std::mutex mutex_;
    std::map<Key, Entry> cache_;
};

} // namespace sendsentry::auth
