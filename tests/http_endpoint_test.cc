// Tests for metrics/http_endpoint: which requests get the metrics, which get
// 400/404/405/503, the reply framing, and loopback-only listen addresses.
#include "metrics/http_endpoint.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::metrics;

class HttpEndpointTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpEndpointTest);
    CPPUNIT_TEST(requests_get_the_right_status);
    CPPUNIT_TEST(store_failure_is_service_unavailable);
    CPPUNIT_TEST(reply_is_framed_with_its_length);
    CPPUNIT_TEST(only_loopback_addresses_are_accepted);
    CPPUNIT_TEST_SUITE_END();

public:
    void requests_get_the_right_status()
    {
        auto render = []() -> Result<std::string> { return std::string("up 1\n"); };
        struct Case {
            const char* label;
            const char* head;
            int status;
        };
        const Case cases[] = {
            { "scrape", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200 },
            { "scrape with parameters", "GET /metrics?name[]=x HTTP/1.1\r\n\r\n", 200 },
            { "bare LF", "GET /metrics HTTP/1.0\n\n", 200 },
            { "HEAD", "HEAD /metrics HTTP/1.1\r\n\r\n", 200 },
            { "other path", "GET / HTTP/1.1\r\n\r\n", 404 },
            { "POST", "POST /metrics HTTP/1.1\r\n\r\n", 405 },
            { "no version", "GET /metrics\r\n\r\n", 400 },
            { "garbage", "\x16\x03\x01 tls hello", 400 },
            { "empty", "", 400 },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.status, answer(c.head, render).status);
        CPPUNIT_ASSERT_EQUAL(std::string("up 1\n"), answer("GET /metrics HTTP/1.1\r\n\r\n", render).body);
    }

    void store_failure_is_service_unavailable()
    {
        auto render
            = []() -> Result<std::string> { return make_error(ErrorKind::temporary, "database is locked"); };
        HttpReply r = answer("GET /metrics HTTP/1.1\r\n\r\n", render);
        CPPUNIT_ASSERT_EQUAL(503, r.status);
        CPPUNIT_ASSERT(r.body.find("database is locked") != std::string::npos);
    }

    void reply_is_framed_with_its_length()
    {
        HttpReply r { 200, "text/plain; version=0.0.4; charset=utf-8", "a 1\n" };
        CPPUNIT_ASSERT_EQUAL(
            std::string("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                        "Content-Length: 4\r\nConnection: close\r\n\r\na 1\n"),
            format_reply(r));
        CPPUNIT_ASSERT(format_reply(r, false).ends_with("\r\n\r\n"));
    }

    void only_loopback_addresses_are_accepted()
    {
        struct Case {
            const char* label;
            const char* text;
            bool ok;
        };
        const Case cases[] = {
            { "IPv4 loopback", "127.0.0.1:9187", true },
            { "IPv6 loopback", "[::1]:9187", true },
            { "any address", "0.0.0.0:9187", false },
            { "public address", "192.0.2.1:9187", false },
            { "no port", "127.0.0.1", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.ok, parse_metrics_listen(c.text).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpEndpointTest);
