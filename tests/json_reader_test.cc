// Tests for mail/json_reader: values, escapes, and hostile input.
#include "mail/json_reader.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class JsonReaderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(JsonReaderTest);
    CPPUNIT_TEST(objects_arrays_and_escapes_are_read);
    CPPUNIT_TEST(bad_and_hostile_json_is_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void objects_arrays_and_escapes_are_read()
    {
        auto v = parse_json(R"({"a": "x\"y\u00e9", "n": [1, true, null], "o": {"k": "v"}})");
        CPPUNIT_ASSERT(v.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("x\"y\xc3\xa9"), std::string(v->str("a")));
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), v->get("n")->items.size());
        CPPUNIT_ASSERT_EQUAL(std::string("v"), std::string(v->get("o")->str("k")));
        CPPUNIT_ASSERT(v->get("missing") == nullptr);
    }

    void bad_and_hostile_json_is_refused()
    {
        struct Case {
            const char* label;
            std::string input;
        };
        const Case cases[] = {
            { "unterminated", "{\"a\": \"x" },
            { "trailing junk", "{} x" },
            { "bad escape", "\"\\u12\"" },
            { "deep nesting", std::string(10000, '[') },
            { "bare word", "nope" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !parse_json(c.input).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonReaderTest);
