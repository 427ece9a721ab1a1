// Tests for auth/resolver: server addresses, the deadline on a silent or
// absent server, and the TTL cache (against a one-shot responder on loopback
// that answers each query with one A record of the TTL it is given).
#include "auth/resolver.hh"

#include "core/unique_fd.hh"

#include <arpa/inet.h>
#include <atomic>
#include <cppunit/extensions/HelperMacros.h>
#include <poll.h>
#include <thread>

using namespace sendsentry;
using namespace sendsentry::auth;

namespace {

// Answers up to MAX_QUERIES A queries on 127.0.0.1 (random port) with
// 192.0.2.1 and TTL, counting them; stops when destroyed.
class Responder {
public:
    Responder(std::uint32_t ttl, int max_queries)
        : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this, ttl, max_queries] { serve(ttl, max_queries); });
    }
    ~Responder()
    {
        stop_ = true;
        thread_.join();
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    int queries() const { return queries_; }

private:
    void serve(std::uint32_t ttl, int max_queries)
    {
        for (int i = 0; i < 200 && !stop_ && queries_ < max_queries; ++i) { // bounded: 200 x 50 ms
            pollfd p { fd_.get(), POLLIN, 0 };
            if (::poll(&p, 1, 50) <= 0)
                continue;
            char buf[512];
            sockaddr_in from {};
            socklen_t flen = sizeof from;
            ssize_t n = ::recvfrom(fd_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
            if (n < 12)
                continue;
            std::string q(buf, static_cast<std::size_t>(n));
            std::string r = q;
            r[2] = char(0x81);
            r[3] = char(0x80);
            r[7] = 1; // ANCOUNT 1
            r += std::string("\xc0\x0c\x00\x01\x00\x01", 6);
            r += char(ttl >> 24);
            r += char((ttl >> 16) & 0xff);
            r += char((ttl >> 8) & 0xff);
            r += char(ttl & 0xff);
            r += std::string("\x00\x04\xc0\x00\x02\x01", 6);
            ++queries_; // counted before the answer leaves, so the client never sees it late
            ::sendto(fd_.get(), r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
        }
    }

    UniqueFd fd_;
    int port_ = 0;
    std::atomic<bool> stop_ { false };
    std::atomic<int> queries_ { 0 };
    std::thread thread_;
};

} // namespace

class ResolverTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ResolverTest);
    CPPUNIT_TEST(server_addresses_are_parsed);
    CPPUNIT_TEST(absent_server_is_temporary);
    CPPUNIT_TEST(silent_server_is_temporary_at_the_deadline);
    CPPUNIT_TEST(answers_are_cached_for_their_ttl);
    CPPUNIT_TEST(zero_ttl_answers_are_not_cached);
    CPPUNIT_TEST(names_over_limits_do_not_exist);
    CPPUNIT_TEST_SUITE_END();

public:
    void server_addresses_are_parsed()
    {
        struct Case {
            const char* label;
            const char* text;
            bool ok;
        };
        const Case cases[] = {
            { "IPv4", "127.0.0.1", true },
            { "IPv4 and port", "127.0.0.1:5353", true },
            { "bracketed IPv6 and port", "[::1]:5353", true },
            { "bare IPv6", "::1", true },
            { "host name", "localhost:53", false },
            { "port zero", "127.0.0.1:0", false },
            { "port too big", "127.0.0.1:65536", false },
            { "junk port", "127.0.0.1:5x", false },
            { "unclosed bracket", "[::1:53", false },
            { "empty", "", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.ok, parse_server_address(c.text).ok());
    }

    void absent_server_is_temporary()
    {
        // A port nobody listens on: ICMP port unreachable ends the wait.
        UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&a), &len);
        int port = ntohs(a.sin_port);
        probe.reset();
        auto r = Resolver::create({ "127.0.0.1:" + std::to_string(port) });
        CPPUNIT_ASSERT(r.ok());
        DnsAnswer ans = (*r)->query("example.com", RrType::a, Clock::now() + std::chrono::seconds(2));
        CPPUNIT_ASSERT_EQUAL(std::string("temporary"), std::string(to_string(ans.status)));
    }

    void silent_server_is_temporary_at_the_deadline()
    {
        Responder silent(60, 0); // answers nothing
        ResolverOptions o { silent.address() };
        o.retransmit = std::chrono::milliseconds(100);
        auto r = Resolver::create(o);
        DnsAnswer ans = (*r)->query("example.com", RrType::a, Clock::now() + std::chrono::milliseconds(300));
        CPPUNIT_ASSERT_EQUAL(std::string("temporary"), std::string(to_string(ans.status)));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), (*r)->cache_size());
    }

    void answers_are_cached_for_their_ttl()
    {
        Responder responder(300, 10);
        auto r = Resolver::create({ responder.address() });
        auto deadline = Clock::now() + std::chrono::seconds(5);
        DnsAnswer first = (*r)->query("example.com", RrType::a, deadline);
        DnsAnswer second = (*r)->query("EXAMPLE.com.", RrType::a, deadline);
        CPPUNIT_ASSERT_EQUAL(std::string("found"), std::string(to_string(first.status)));
        CPPUNIT_ASSERT(!first.from_cache);
        CPPUNIT_ASSERT(second.from_cache);
        CPPUNIT_ASSERT_EQUAL(std::string("\xc0\x00\x02\x01", 4), second.records.at(0).data);
        CPPUNIT_ASSERT_EQUAL(1, responder.queries());
    }

    void zero_ttl_answers_are_not_cached()
    {
        Responder responder(0, 10);
        auto r = Resolver::create({ responder.address() });
        auto deadline = Clock::now() + std::chrono::seconds(5);
        (void)(*r)->query("example.com", RrType::a, deadline);
        DnsAnswer again = (*r)->query("example.com", RrType::a, deadline);
        CPPUNIT_ASSERT(!again.from_cache);
        CPPUNIT_ASSERT_EQUAL(2, responder.queries());
    }

    void names_over_limits_do_not_exist()
    {
        auto r = Resolver::create({ "127.0.0.1:9" });
        DnsAnswer a = (*r)->query(std::string(64, 'a') + ".example.com", RrType::a, Clock::now());
        CPPUNIT_ASSERT_EQUAL(std::string("nxdomain"), std::string(to_string(a.status)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ResolverTest);
