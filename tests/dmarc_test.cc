// Tests for auth/dmarc: record parsing (RFC 7489 6.3) and what a DNS failure
// means. Discovery and alignment against real DNS are in tests/spf_dns.sh.
#include "auth/dmarc.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class DmarcTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DmarcTest);
    CPPUNIT_TEST(valid_records_are_read);
    CPPUNIT_TEST(malformed_records_are_errors);
    CPPUNIT_TEST(dns_failure_is_temperror);
    CPPUNIT_TEST_SUITE_END();

public:
    void valid_records_are_read()
    {
        auto r = parse_dmarc_record(
            "v=DMARC1; p=Reject; sp=quarantine; adkim=s; aspf=r; pct=50; rua=mailto:d@example.com");
        CPPUNIT_ASSERT_MESSAGE(r ? "" : r.error().message, r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("reject"), r->policy);
        CPPUNIT_ASSERT_EQUAL(std::string("quarantine"), r->subdomain_policy);
        CPPUNIT_ASSERT(r->strict_dkim);
        CPPUNIT_ASSERT(!r->strict_spf);
        CPPUNIT_ASSERT_EQUAL(50, r->percent);

        auto minimal = parse_dmarc_record("v=DMARC1;p=none");
        CPPUNIT_ASSERT(minimal.ok());
        CPPUNIT_ASSERT(!minimal->strict_dkim && !minimal->strict_spf);
        // RFC 7489 6.6.3: no p= but a rua= acts as p=none.
        auto rua_only = parse_dmarc_record("v=DMARC1; rua=mailto:d@example.com");
        CPPUNIT_ASSERT(rua_only.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("none"), rua_only->policy);
        CPPUNIT_ASSERT(parse_dmarc_record("v=DMARC1; p=none; future=tag;").ok());
    }

    void malformed_records_are_errors()
    {
        const char* cases[] = {
            "",
            "p=reject; v=DMARC1",
            "v=DMARC2; p=reject",
            "v=DMARC1; p=bogus",
            "v=DMARC1; p=reject; sp=maybe",
            "v=DMARC1; p=reject; adkim=x",
            "v=DMARC1; p=reject; pct=101",
            "v=DMARC1; p=reject; garbage",
            "v=DMARC1",
        };
        for (const char* c : cases)
            CPPUNIT_ASSERT_MESSAGE(c, !parse_dmarc_record(c).ok());
        CPPUNIT_ASSERT(!parse_dmarc_record("v=DMARC1; p=none; x=" + std::string(5000, 'a')).ok());
    }

    void dns_failure_is_temperror()
    {
        ResolverOptions o;
        o.server = "127.0.0.1:9";
        o.retransmit = std::chrono::milliseconds(100);
        auto resolver = Resolver::create(o).value();
        auto orgs = OrgDomains::load();
        DmarcChecker dmarc(*resolver, *orgs);
        DmarcInput in;
        in.from_domain = "example.com";
        in.spf_domain = "example.com";
        in.spf = SpfResult::pass;
        DmarcVerdict v = dmarc.check(in, Clock::now() + std::chrono::milliseconds(300));
        CPPUNIT_ASSERT_EQUAL(std::string("temperror"), std::string(to_string(v.result)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DmarcTest);
