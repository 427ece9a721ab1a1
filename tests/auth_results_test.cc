// Tests for auth/auth_results: the header we add and the copies we remove.
#include "auth/auth_results.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class AuthResultsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AuthResultsTest);
    CPPUNIT_TEST(header_carries_spf_dkim_and_dmarc_properties);
    CPPUNIT_TEST(header_without_from_says_why);
    CPPUNIT_TEST(our_authserv_id_is_recognised);
    CPPUNIT_TEST_SUITE_END();

public:
    void header_carries_spf_dkim_and_dmarc_properties()
    {
        AuthResultsInput in;
        in.authserv_id = "relay.example.net";
        in.spf.result = SpfResult::pass;
        in.spf.reason = "domain of bounces.example.com designates 192.0.2.1 as permitted sender";
        in.mail_from = "b+x=y@bounces.example.com";
        in.dkim.push_back({ "example.com", "s2024", "pass" });
        DmarcVerdict d;
        d.result = DmarcResult::pass;
        d.from_domain = "example.com";
        d.record = DmarcRecord { "reject", "", false, true, 100 };
        d.policy = "reject";
        d.spf_aligned = true;
        d.dkim_aligned = true;
        in.dmarc = d;
        std::string h = build_authentication_results(in);
        std::string expected
            = "relay.example.net;\n"
              "\tspf=pass (domain of bounces.example.com designates 192.0.2.1 as permitted sender)"
              " smtp.mailfrom=\"b+x=y@bounces.example.com\";\n"
              "\tdkim=pass (signed by this relay) header.d=example.com header.s=s2024;\n"
              "\tdmarc=pass (p=reject aspf=r adkim=s; spf aligned, dkim aligned)"
              " header.from=example.com policy.dmarc=reject";
        CPPUNIT_ASSERT_EQUAL(expected, h);
    }

    void header_without_from_says_why()
    {
        AuthResultsInput in;
        in.authserv_id = "relay.example.net";
        in.spf.result = SpfResult::none;
        in.helo = "relay.example.net";
        in.dmarc_error = "message has 2 From fields (RFC 5322)";
        std::string h = build_authentication_results(in);
        CPPUNIT_ASSERT(h.find("smtp.helo=relay.example.net") != std::string::npos);
        CPPUNIT_ASSERT(h.find("dkim=none") != std::string::npos);
        CPPUNIT_ASSERT(
            h.find("dmarc=permerror (message has 2 From fields \\(RFC 5322\\))") != std::string::npos);
    }

    void our_authserv_id_is_recognised()
    {
        struct Case {
            const char* label;
            const char* value;
            bool ours;
        };
        const Case cases[] = {
            { "ours", " relay.example.net; spf=pass smtp.mailfrom=a@b.example", true },
            { "ours, other case", "Relay.Example.NET; dkim=pass", true },
            { "ours with version and comment", " (forged) relay.example.net 1; none", true },
            { "someone else", " mx.google.com; spf=pass", false },
            { "prefix of ours", " relay.example; spf=pass", false },
            { "ours as a suffix", " evil-relay.example.net; spf=pass", false },
            { "empty", "", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.ours, claims_authserv_id(c.value, "relay.example.net"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AuthResultsTest);
