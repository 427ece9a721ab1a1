// Tests for dkim/sign_decision: sign mail from authenticated clients,
// internal networks and named daemons; never mail relayed in from outside.
#include "dkim/sign_decision.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class SignDecisionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SignDecisionTest);
    CPPUNIT_TEST(networks_match_by_prefix);
    CPPUNIT_TEST(bad_networks_are_refused);
    CPPUNIT_TEST(decision_and_reason_follow_the_client);
    CPPUNIT_TEST(defaults_come_from_the_config_table);
    CPPUNIT_TEST_SUITE_END();

public:
    void networks_match_by_prefix()
    {
        struct Case {
            const char* net;
            const char* addr;
            bool in;
        };
        const Case cases[] = {
            { "10.0.0.0/8", "10.1.2.3", true },
            { "10.0.0.0/8", "11.0.0.1", false },
            { "192.168.1.0/25", "192.168.1.127", true },
            { "192.168.1.0/25", "192.168.1.128", false },
            { "127.0.0.1", "127.0.0.1", true },
            { "127.0.0.1", "127.0.0.2", false },
            { "10.0.0.0/8", "::ffff:10.9.9.9", true },
            { "2001:db8::/32", "2001:db8:1::5", true },
            { "2001:db8::/32", "IPv6:2001:db8::1", true },
            { "2001:db8::/32", "2001:db9::1", false },
            { "::1/128", "::1", true },
            { "0.0.0.0/0", "203.0.113.9", true },
            { "0.0.0.0/0", "2001:db8::1", false },
            { "10.0.0.0/8", "", false },
            { "10.0.0.0/8", "not an address", false },
        };
        for (const Case& c : cases) {
            auto n = Network::parse(c.net);
            CPPUNIT_ASSERT_MESSAGE(c.net, n.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(c.net) + " " + c.addr, c.in, n->contains(c.addr));
        }
    }

    void bad_networks_are_refused()
    {
        for (const char* bad :
            { "10.0.0.0/33", "::/129", "10.0.0/8", "host.example", "10.0.0.0/", "1.2.3.4/x" })
            CPPUNIT_ASSERT_MESSAGE(bad, !Network::parse(bad).ok());
    }

    void decision_and_reason_follow_the_client()
    {
        std::vector<Network> nets { *Network::parse("10.0.0.0/8") };
        SignPolicy policy(true, nets, { "ORIGINATING" });
        struct Case {
            const char* label;
            ClientFacts facts;
            bool sign;
            const char* reason;
        };
        const Case cases[] = {
            { "authenticated", { "alice", "PLAIN", "203.0.113.5", "smtpd" }, true,
                "authenticated user=alice" },
            { "auth type only", { "", "LOGIN", "203.0.113.5", "" }, true, "authenticated" },
            { "internal", { "", "", "10.2.3.4", "smtpd" }, true, "internal network 10.0.0.0/8" },
            { "daemon", { "", "", "203.0.113.5", "ORIGINATING" }, true, "daemon ORIGINATING" },
            { "outside", { "", "", "203.0.113.5", "smtpd" }, false, "not ours" },
            { "nothing known", { "", "", "", "" }, false, "not ours" },
        };
        for (const Case& c : cases) {
            SignDecision d = policy.decide(c.facts);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.sign, d.sign);
            CPPUNIT_ASSERT_MESSAGE(
                std::string(c.label) + ": " + d.reason, d.reason.find(c.reason) != std::string::npos);
        }
        SignPolicy no_auth(false, {}, {});
        CPPUNIT_ASSERT(!no_auth.decide({ "alice", "PLAIN", "203.0.113.5", "" }).sign);
    }

    void defaults_come_from_the_config_table()
    {
        auto cfg = config::parse("[milter]\ninternal_networks = 192.0.2.0/24, 2001:db8::/32\n", "t.conf");
        CPPUNIT_ASSERT(cfg.ok());
        auto p = SignPolicy::from_config(*cfg);
        CPPUNIT_ASSERT(p.ok());
        CPPUNIT_ASSERT(p->decide({ "", "", "192.0.2.7", "" }).sign);
        CPPUNIT_ASSERT(!p->decide({ "", "", "127.0.0.1", "" }).sign); // replaced the default list
        CPPUNIT_ASSERT(p->decide({ "", "", "198.51.100.1", "ORIGINATING" }).sign);
        auto bad = config::parse("[milter]\ninternal_networks = 10.0.0.0/99\n", "t.conf");
        CPPUNIT_ASSERT(!SignPolicy::from_config(*bad).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SignDecisionTest);
