// Tests for core/log: line formatting and quoting.
#include "core/log.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::log;

class LogTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LogTest);
    CPPUNIT_TEST(queue_id_comes_first);
    CPPUNIT_TEST(values_with_spaces_and_quotes_are_quoted);
    CPPUNIT_TEST(control_characters_are_escaped);
    CPPUNIT_TEST(numbers_and_booleans_format_plainly);
    CPPUNIT_TEST_SUITE_END();

public:
    void queue_id_comes_first()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("4F3A21: signed domain=example.com selector=s1"),
            format_line("4F3A21", "signed", { { "domain", "example.com" }, { "selector", "s1" } }));
        CPPUNIT_ASSERT_EQUAL(std::string("started"), format_line("", "started", {}));
    }

    void values_with_spaces_and_quotes_are_quoted()
    {
        CPPUNIT_ASSERT_EQUAL(std::string(R"(id: e reason="no \"From\" field" empty="")"),
            format_line("id", "e", { { "reason", "no \"From\" field" }, { "empty", "" } }));
    }

    void control_characters_are_escaped()
    {
        CPPUNIT_ASSERT_EQUAL(std::string(R"(id: e v="a\x0d\x0ab")"), format_line("id", "e", { { "v", "a\r\nb" } }));
    }

    void numbers_and_booleans_format_plainly()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("id: e n=42 ok=yes r=0.25"),
            format_line("id", "e", { { "n", 42 }, { "ok", true }, { "r", 0.25 } }));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LogTest);
