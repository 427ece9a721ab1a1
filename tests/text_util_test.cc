// Tests for mail/text_util: address finding in free text, normalisation,
// printable UTF-8.
#include "mail/text_util.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class TextUtilTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TextUtilTest);
    CPPUNIT_TEST(addresses_are_found_in_text);
    CPPUNIT_TEST(output_is_valid_utf8);
    CPPUNIT_TEST_SUITE_END();

public:
    void addresses_are_found_in_text()
    {
        struct Case {
            const char* label;
            const char* text;
            const char* expected;
        };
        const Case cases[] = {
            { "angle brackets", "550 <User@Example.COM>... unknown", "User@example.com" },
            { "mailto", "see mailto:info@example.org.", "info@example.org" },
            { "quoted local part", "<\"john..doe\"@example.com>", "\"john..doe\"@example.com" },
            { "trailing punctuation", "to bob@example.net, then", "bob@example.net" },
            { "path is not a local part", "/home/u/.forward/x@example.com", "x@example.com" },
            { "no dot in domain", "root@localhost", "" },
            { "nothing", "no address here", "" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), find_address(c.text));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), find_addresses("a@x.example b@y.example a@x.example").size());
        CPPUNIT_ASSERT_EQUAL(std::string("a@x.example"), normalize_recipient(" <a@X.Example> "));
    }

    void output_is_valid_utf8()
    {
        struct Case {
            const char* label;
            std::string input;
            std::string expected;
        };
        const Case cases[] = {
            { "ascii", "hello", "hello" },
            { "valid two-byte", "caf\xc3\xa9", "caf\xc3\xa9" },
            { "lone continuation", "a\x80z", "a?z" },
            { "overlong", "\xc0\xaf", "??" },
            { "surrogate", "\xed\xa0\x80", "???" },
            { "control", std::string("a\0b\tc", 5), "a b c" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, printable_utf8(c.input));
        CPPUNIT_ASSERT(printable_utf8(std::string(5000, 'x'), 100).size() <= 100);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextUtilTest);
