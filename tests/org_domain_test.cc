// Tests for auth/org_domain: organizational domains from Debian's Public
// Suffix List, including multi-label suffixes.
#include "auth/org_domain.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class OrgDomainTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OrgDomainTest);
    CPPUNIT_TEST(organizational_domains_follow_the_public_suffix_list);
    CPPUNIT_TEST(alignment_is_relaxed_or_strict);
    CPPUNIT_TEST(missing_list_file_is_an_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void organizational_domains_follow_the_public_suffix_list()
    {
        auto orgs = OrgDomains::load();
        CPPUNIT_ASSERT_MESSAGE(orgs ? "" : orgs.error().message, orgs.ok());
        struct Case {
            const char* domain;
            const char* org;
        };
        const Case cases[] = {
            { "example.com", "example.com" },
            { "mail.Example.COM", "example.com" },
            { "a.b.example.co.uk", "example.co.uk" },
            { "example.co.uk", "example.co.uk" },
            { "co.uk", "co.uk" },
            { "bounces.example.com.au", "example.com.au" },
            { "x.y.example.test", "example.test" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.domain, std::string(c.org), orgs->organizational(c.domain));
    }

    void alignment_is_relaxed_or_strict()
    {
        auto orgs = OrgDomains::load();
        CPPUNIT_ASSERT(orgs->aligned("bounces.example.co.uk", "example.co.uk", false));
        CPPUNIT_ASSERT(!orgs->aligned("bounces.example.co.uk", "example.co.uk", true));
        CPPUNIT_ASSERT(orgs->aligned("Example.co.uk", "example.co.uk", true));
        CPPUNIT_ASSERT(!orgs->aligned("example.co.uk", "other.co.uk", false));
    }

    void missing_list_file_is_an_error() { CPPUNIT_ASSERT(!OrgDomains::load("/nonexistent/psl.dat").ok()); }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OrgDomainTest);
