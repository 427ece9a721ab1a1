// Tests for auth/spf without a DNS server: the RFC 7208 4.3 initial checks
// answer before any lookup, bad input is an error result, a dead server is
// temperror within the bound, and every result has an RFC 7208 word.
// Evaluation against real DNS is tests/spf_dns.sh.
#include "auth/spf.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

namespace {

// 127.0.0.1:9 (discard): nothing answers DNS there.
std::unique_ptr<Resolver> dead_resolver()
{
    ResolverOptions o { "127.0.0.1:9" };
    o.retransmit = std::chrono::milliseconds(100);
    return Resolver::create(o).value();
}

SpfOptions bounded(int ms)
{
    SpfOptions o;
    o.time_limit = std::chrono::milliseconds(ms);
    return o;
}

} // namespace

class SpfTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SpfTest);
    CPPUNIT_TEST(unqualified_identities_are_none_without_lookup);
    CPPUNIT_TEST(bad_client_address_is_permerror);
    CPPUNIT_TEST(dead_dns_server_is_temperror);
    CPPUNIT_TEST(results_round_trip_through_their_words);
    CPPUNIT_TEST_SUITE_END();

public:
    void unqualified_identities_are_none_without_lookup()
    {
        auto resolver = dead_resolver();
        SpfChecker spf(*resolver, bounded(500));
        struct Case {
            const char* label;
            SpfQuery query;
        };
        const Case cases[] = {
            { "single-label HELO for <>", { "192.0.2.1", "", "A2345678" } },
            { "address-literal HELO", { "192.0.2.1", "", "[192.0.2.1]" } },
            { "domain literal sender", { "192.0.2.1", "foo@[192.0.2.1]", "mail.example.com" } },
            { "empty label", { "192.0.2.1", "a@A...example.com", "mail.example.com" } },
            { "64-octet label",
                { "192.0.2.1", "a@" + std::string(64, 'a') + ".example.com", "h.example.com" } },
        };
        for (const Case& c : cases) {
            SpfVerdict v = spf.check(c.query);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string("none"), std::string(to_string(v.result)));
        }
    }

    void bad_client_address_is_permerror()
    {
        auto resolver = dead_resolver();
        SpfChecker spf(*resolver, SpfOptions {});
        SpfVerdict v = spf.check({ "not-an-ip", "a@example.com", "h.example.com" });
        CPPUNIT_ASSERT_EQUAL(std::string("permerror"), std::string(to_string(v.result)));
    }

    void dead_dns_server_is_temperror()
    {
        auto resolver = dead_resolver();
        SpfChecker spf(*resolver, bounded(500));
        SpfVerdict v = spf.check({ "192.0.2.1", "a@example.com", "h.example.com" });
        CPPUNIT_ASSERT_EQUAL(std::string("temperror"), std::string(to_string(v.result)));
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), v.domain);
        CPPUNIT_ASSERT_EQUAL(std::string("mailfrom"), v.identity);
        SpfVerdict helo = spf.check({ "192.0.2.1", "", "h.example.com" });
        CPPUNIT_ASSERT_EQUAL(std::string("helo"), helo.identity);
        CPPUNIT_ASSERT_EQUAL(std::string("h.example.com"), helo.domain);
    }

    void results_round_trip_through_their_words()
    {
        for (const char* w : { "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror" }) {
            auto r = parse_spf_result(w);
            CPPUNIT_ASSERT_MESSAGE(w, r.has_value());
            CPPUNIT_ASSERT_EQUAL(std::string(w), std::string(to_string(*r)));
        }
        CPPUNIT_ASSERT(!parse_spf_result("invalid").has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SpfTest);
