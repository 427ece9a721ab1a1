// JSON string literals: escaping and UTF-8 validity (core/json).
#include "core/json.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <string>

using sendsentry::json_string;

class JsonTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonTest);
    CPPUNIT_TEST(json_strings_are_escaped_and_valid_utf8);
    CPPUNIT_TEST_SUITE_END();

public:
    void json_strings_are_escaped_and_valid_utf8()
    {
        struct Case {
            const char* label;
            std::string input;
            std::string expected;
        };
        const Case cases[] = {
            { "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
            { "control", std::string("a\n\x01", 3), "\"a\\u000a\\u0001\"" },
            { "UTF-8 kept", "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
            { "invalid byte replaced",
                "a\xff"
                "b",
                "\"a\\ufffdb\"" },
            { "overlong replaced", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
            { "truncated sequence", "\xe2\x82", "\"\\ufffd\\ufffd\"" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, json_string(c.input));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonTest);
