// Tests for auth/spf_macro: RFC 7208 7.4 examples and the 253-octet rule.
#include "auth/spf_macro.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class SpfMacroTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SpfMacroTest);
    CPPUNIT_TEST(rfc7208_examples_expand);
    CPPUNIT_TEST(bad_macros_are_errors);
    CPPUNIT_TEST(long_names_lose_labels_on_the_left);
    CPPUNIT_TEST_SUITE_END();

    static MacroContext rfc_context()
    {
        MacroContext c;
        c.local_part = "strong-bad";
        c.sender_domain = "email.example.com";
        c.domain = "email.example.com";
        c.ip_dotted = "192.0.2.3";
        c.ip_readable = "192.0.2.3";
        c.helo = "mx.example.org";
        c.receiver = "mx.example.net";
        c.validated_name = [] { return std::string("mx.example.org"); };
        return c;
    }

public:
    void rfc7208_examples_expand()
    {
        struct Case {
            const char* input;
            const char* expected;
        };
        // RFC 7208 section 7.4.
        const Case cases[] = {
            { "%{s}", "strong-bad@email.example.com" },
            { "%{o}", "email.example.com" },
            { "%{d}", "email.example.com" },
            { "%{d4}", "email.example.com" },
            { "%{d3}", "email.example.com" },
            { "%{d2}", "example.com" },
            { "%{d1}", "com" },
            { "%{dr}", "com.example.email" },
            { "%{d2r}", "example.email" },
            { "%{l}", "strong-bad" },
            { "%{l-}", "strong.bad" },
            { "%{lr}", "strong-bad" },
            { "%{lr-}", "bad.strong" },
            { "%{l1r-}", "strong" },
            { "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
            { "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
            { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com" },
            { "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
            { "%%%_%-", "% %20" },
            { "%{p} says %{c}", "mx.example.org says 192.0.2.3" },
            { "%{L}", "strong-bad" },
        };
        MacroContext ctx = rfc_context();
        for (const Case& c : cases) {
            auto r = expand_macros(c.input, ctx, true);
            CPPUNIT_ASSERT_MESSAGE(c.input, r.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.input, std::string(c.expected), *r);
        }
        ctx.local_part = "~jack&jill=up";
        CPPUNIT_ASSERT_EQUAL(std::string("~jack%26jill%3Dup"), *expand_macros("%{L}", ctx, true));
        unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 0x01 };
        ctx.ip_dotted = ipv6_nibbles(v6);
        ctx.ipv6 = true;
        CPPUNIT_ASSERT_EQUAL(
            std::string(
                "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"),
            *expand_macros("%{ir}.%{v}._spf.%{d2}", ctx, false));
    }

    void bad_macros_are_errors()
    {
        MacroContext ctx = rfc_context();
        for (const char* bad : { "%{x}", "%{d", "100%", "%a", "%{d0}" })
            CPPUNIT_ASSERT_MESSAGE(bad, !expand_macros(bad, ctx, true).ok());
        CPPUNIT_ASSERT_MESSAGE("c outside exp", !expand_macros("%{c}", ctx, false).ok());
        CPPUNIT_ASSERT_MESSAGE("space outside exp", !expand_macros("a b", ctx, false).ok());
    }

    void long_names_lose_labels_on_the_left()
    {
        std::string label(60, 'a');
        std::string name = label + "." + label + "." + label + "." + label + "." + label + ".example.com";
        std::string cut = truncate_domain(name);
        CPPUNIT_ASSERT(cut.size() <= 253);
        CPPUNIT_ASSERT_EQUAL(label + "." + label + "." + label + ".example.com", cut); // 316 -> 255 -> 194
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), truncate_domain("example.com"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SpfMacroTest);
