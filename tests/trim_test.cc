// Tests for core/trim: both ends, all-blank and empty text, and a narrower
// set of blanks that leaves the others as data.
#include "core/trim.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <string>

using sendsentry::trim;

class TrimTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TrimTest);
    CPPUNIT_TEST(trims_ascii_white_space_at_both_ends);
    CPPUNIT_TEST(a_narrower_set_keeps_the_rest);
    CPPUNIT_TEST_SUITE_END();

public:
    void trims_ascii_white_space_at_both_ends()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), std::string(trim(" \t\r\n\f\va b\v\f\n\r\t ")));
        CPPUNIT_ASSERT_EQUAL(std::string("x"), std::string(trim("x")));
        CPPUNIT_ASSERT(trim("").empty());
        CPPUNIT_ASSERT(trim(" \t\r\n").empty());
    }

    void a_narrower_set_keeps_the_rest()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("\rvalue\r"), std::string(trim(" \t\rvalue\r\t ", " \t")));
        CPPUNIT_ASSERT(trim(" \t ", " \t").empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TrimTest);
