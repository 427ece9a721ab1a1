// Tests for core/address: a table of good, odd and hostile envelope addresses.
#include "core/address.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;

class AddressTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AddressTest);
    CPPUNIT_TEST(valid_addresses_are_normalised);
    CPPUNIT_TEST(invalid_addresses_are_errors);
    CPPUNIT_TEST(null_sender_only_when_allowed);
    CPPUNIT_TEST_SUITE_END();

public:
    void valid_addresses_are_normalised()
    {
        struct Case {
            const char* label;
            std::string input;
            std::string expected;
        };
        const Case cases[] = {
            { "plain", "user@example.com", "user@example.com" },
            { "brackets", "<user@example.com>", "user@example.com" },
            { "domain lower-cased, local kept", "Jane.Doe@EXAMPLE.Com", "Jane.Doe@example.com" },
            { "plus tag", "bounces+abc=def@bounces.example.com", "bounces+abc=def@bounces.example.com" },
            { "quoted local part", "\"john doe\"@example.com", "\"john doe\"@example.com" },
            { "quoted with @ and escape", "\"a@b\\\"c\"@example.com", "\"a@b\\\"c\"@example.com" },
            { "IDN domain to A-label", "info@bücher.example", "info@xn--bcher-kva.example" },
            { "UTF-8 local part", "josé@example.com", "josé@example.com" },
            { "trailing dot", "user@example.com.", "user@example.com" },
            { "source route dropped", "<@relay.example,@b.example:user@example.com>", "user@example.com" },
            { "address literal", "postmaster@[192.0.2.1]", "postmaster@[192.0.2.1]" },
        };
        for (const Case& c : cases) {
            auto a = parse_address(c.input);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": " + (a ? "" : a.error().message), a.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, a->str());
        }
    }

    void invalid_addresses_are_errors()
    {
        struct Case {
            const char* label;
            std::string input;
        };
        const Case cases[] = {
            { "empty", "" },
            { "no at", "user.example.com" },
            { "no local part", "@example.com" },
            { "no domain", "user@" },
            { "unbalanced bracket", "<user@example.com" },
            { "double dot", "a..b@example.com" },
            { "leading dot", ".a@example.com" },
            { "space in local part", "a b@example.com" },
            { "unterminated quote", "\"ab@example.com" },
            { "control character", std::string("a\x01@example.com") },
            { "NUL byte", std::string("a\0b@example.com", 15) },
            { "CRLF injection", "a@example.com\r\nRCPT TO:<x@y.z>" },
            { "bad label", "a@-bad-.example.com" },
            { "single label", "a@example" },
            { "empty label", "a@example..com" },
            { "local part too long", std::string(65, 'a') + "@example.com" },
            { "huge input", std::string(1 << 20, 'a') + "@example.com" },
            { "label too long", "a@" + std::string(64, 'b') + ".com" },
            { "invalid UTF-8 domain", "a@\xff\xfe.example" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !parse_address(c.input).ok());
    }

    void null_sender_only_when_allowed()
    {
        auto null = parse_address("<>", true);
        CPPUNIT_ASSERT(null.ok());
        CPPUNIT_ASSERT(null->is_null());
        CPPUNIT_ASSERT_EQUAL(std::string(), null->str());
        CPPUNIT_ASSERT(!parse_address("<>").ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AddressTest);
