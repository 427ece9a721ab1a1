// Tests for auth/spf_record_syntax: the RFC 7208 ABNF check and the rewrite
// into what libspf2 evaluates correctly.
#include "auth/spf_record_syntax.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class SpfRecordSyntaxTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SpfRecordSyntaxTest);
    CPPUNIT_TEST(spf_records_are_recognised_by_version);
    CPPUNIT_TEST(valid_records_pass);
    CPPUNIT_TEST(invalid_records_name_the_problem);
    CPPUNIT_TEST(libspf2_form_rewrites_what_libspf2_misreads);
    CPPUNIT_TEST_SUITE_END();

public:
    void spf_records_are_recognised_by_version()
    {
        CPPUNIT_ASSERT(is_spf_record("v=spf1"));
        CPPUNIT_ASSERT(is_spf_record("V=SPF1 -all"));
        CPPUNIT_ASSERT(!is_spf_record("v=spf10 -all"));
        CPPUNIT_ASSERT(!is_spf_record("v=spf1-all"));
        CPPUNIT_ASSERT(!is_spf_record("spf2.0/pra -all"));
        CPPUNIT_ASSERT(!is_spf_record(""));
    }

    void valid_records_pass()
    {
        const char* cases[] = {
            "v=spf1",
            "v=spf1 -all",
            "v=spf1  ip4:192.0.2.0/24  ip6:2001:db8::/32 ~all ",
            "v=spf1 a mx/24 a:mail.example.com/24//64 mx:example.com//0 ptr -all",
            "v=spf1 include:_spf.example.com exists:%{ir}.%{l1r+-}._spf.%{d} ?all",
            "v=spf1 a:foo:bar/baz.example.com",
            "v=spf1 redirect=_spf.example.com",
            "v=spf1 -all exp=explain.%{d}",
            "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
            "v=spf1 a:%{d}",
            "v=spf1 a:example.com.",
            "v=spf1 ip4:1.2.3.4/0",
        };
        for (const char* c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c, std::string(), spf_syntax_error(c));
    }

    void invalid_records_name_the_problem()
    {
        struct Case {
            const char* label;
            std::string record;
        };
        const Case cases[] = {
            { "unknown mechanism", "v=spf1 foo -all" },
            { "empty domain-spec", "v=spf1 a: -all" },
            { "one-label domain", "v=spf1 include:museum -all" },
            { "numeric top label", "v=spf1 a:111.222.33.44" },
            { "label ending in hyphen", "v=spf1 a:example.-com" },
            { "bad macro letter", "v=spf1 exists:%{x}.example.com" },
            { "exp-only macro letter", "v=spf1 exists:%{c}.example.com" },
            { "zero transformer", "v=spf1 exists:%{d0}.example.com" },
            { "unterminated macro", "v=spf1 exists:%{d.example.com" },
            { "lone percent", "v=spf1 exists:foo%.example.com" },
            { "two redirects", "v=spf1 redirect=a.example.com redirect=b.example.com" },
            { "two exp", "v=spf1 exp=a.example.com exp=b.example.com -all" },
            { "ip4 cidr too long", "v=spf1 ip4:1.2.3.4/33" },
            { "ip4 leading zero", "v=spf1 ip4:1.2.3.04" },
            { "ip6 in ip4", "v=spf1 ip4:::1" },
            { "ip6 cidr too long", "v=spf1 a//129" },
            { "cidr with leading zero", "v=spf1 a/024" },
            { "NUL octet", std::string("v=spf1 a:foo.example.com\0", 25) },
            { "non-ASCII", "v=spf1 a:b\xc3\xa9.example.com" },
            { "tab separator", "v=spf1\t-all" },
            { "empty modifier value for redirect", "v=spf1 redirect=" },
            { "bad modifier macro", "v=spf1 foo=%" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !spf_syntax_error(c.record).empty());
    }

    void libspf2_form_rewrites_what_libspf2_misreads()
    {
        struct Case {
            const char* label;
            const char* record;
            bool v6;
            std::string expected;
        };
        const Case cases[] = {
            { "unchanged", "v=spf1 ip4:192.0.2.1 -all", false, "v=spf1 ip4:192.0.2.1 -all" },
            { "unknown modifier dropped", "v=spf1 moo.cow=x ip4:1.2.3.4 -all", false,
                "v=spf1 ip4:1.2.3.4 -all" },
            { "redirect moved last", "v=spf1 redirect=x.example.com ip4:1.2.3.4", false,
                "v=spf1 ip4:1.2.3.4 redirect=x.example.com" },
            { "redirect ignored with all", "v=spf1 redirect=x.example.com ~all", false, "v=spf1 ~all" },
            { "ip4 /0 as halves", "v=spf1 -ip4:1.2.3.4/0", false, "v=spf1 -ip4:0.0.0.0/1 -ip4:128.0.0.0/1" },
            { "ip6 cidr dropped for IPv4 client", "v=spf1 a/24//64", false, "v=spf1 a/24" },
            { "ip4 cidr dropped for IPv6 client", "v=spf1 a/24//64", true, "v=spf1 a//64" },
            { "a/0 marked", "v=spf1 a/0", false, "v=spf1 a:x-sendsentry-cidr0.%{d}" },
            { "mx//0 marked", "v=spf1 mx:example.com//0", true, "v=spf1 mx:x-sendsentry-cidr0.example.com" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, libspf2_form(c.record, c.v6));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SpfRecordSyntaxTest);
