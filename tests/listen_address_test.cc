// Tests for policy/listen_address: the [policyd] listen syntax, loopback only.
#include "policy/listen_address.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::policy;

class ListenAddressTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ListenAddressTest);
    CPPUNIT_TEST(good_addresses_are_parsed);
    CPPUNIT_TEST(bad_and_non_loopback_addresses_are_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void good_addresses_are_parsed()
    {
        struct Case {
            const char* input;
            ListenAddress::Family family;
            std::string host_or_path;
            int port;
        };
        const Case cases[] = {
            { "unix:/run/sendsentry/policyd.sock", ListenAddress::Family::unix_path,
                "/run/sendsentry/policyd.sock", 0 },
            { "inet:127.0.0.1:10040", ListenAddress::Family::ipv4, "127.0.0.1", 10040 },
            { "inet:127.0.0.2:1", ListenAddress::Family::ipv4, "127.0.0.2", 1 },
            { "inet:[::1]:65535", ListenAddress::Family::ipv6, "::1", 65535 },
        };
        for (const Case& c : cases) {
            auto a = parse_listen_address(c.input);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.input) + ": " + (a ? "" : a.error().message), a.ok());
            CPPUNIT_ASSERT_MESSAGE(c.input, a->family == c.family);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.input, c.host_or_path, c.family == ListenAddress::Family::unix_path ? a->path : a->host);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.input, c.port, a->port);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.input, std::string(c.input), a->str());
        }
    }

    void bad_and_non_loopback_addresses_are_refused()
    {
        const std::string bad[] = {
            "",
            "policyd.sock",
            "unix:",
            "unix:relative/path",
            "unix:/" + std::string(200, 'a'),
            "inet:127.0.0.1",
            "inet:127.0.0.1:0",
            "inet:127.0.0.1:65536",
            "inet:127.0.0.1:x",
            "inet:0.0.0.0:10040",
            "inet:192.0.2.1:10040",
            "inet:[::]:10040",
            "inet:[2001:db8::1]:10040",
            "inet:[::1:10040",
            "inet:localhost:10040",
            "tcp:127.0.0.1:10040",
        };
        for (const std::string& b : bad)
            CPPUNIT_ASSERT_MESSAGE("\"" + b + "\" must be refused", !parse_listen_address(b).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ListenAddressTest);
