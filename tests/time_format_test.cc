// Tests for store/time_format: every documented form of time text is read
// (ISO 8601 dates and date-times with offsets, Unix seconds), impossible dates
// and junk are errors, and times print as ISO 8601 UTC.
#include "store/time_format.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::store;
using namespace sendsentry::store::format;

class TimeFormatTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TimeFormatTest);
    CPPUNIT_TEST(times_are_read_in_every_documented_form);
    CPPUNIT_TEST(bad_times_are_errors);
    CPPUNIT_TEST_SUITE_END();

public:
    void times_are_read_in_every_documented_form()
    {
        struct Case {
            const char* label;
            const char* text;
            Time expected;
        };
        const Case cases[] = {
            { "date", "2026-11-25", 1795564800 },
            { "date-time Z", "2026-11-25T16:04:05Z", 1795622645 },
            { "no seconds", "2026-11-25T16:04Z", 1795622640 },
            { "offset", "2026-11-25T18:04:05+02:00", 1795622645 },
            { "negative offset no colon", "2026-11-25T11:04:05-0500", 1795622645 },
            { "fraction dropped", "2026-11-25T16:04:05.999Z", 1795622645 },
            { "space separator", "2026-11-25 16:04:05", 1795622645 },
            { "unix seconds", "1795622645", 1795622645 },
            { "unix with fraction (SES JSON)", "1795622645.123", 1795622645 },
            { "leap day", "2024-02-29", 1709164800 },
            { "epoch", "1970-01-01T00:00:00Z", 0 },
        };
        for (const Case& c : cases) {
            auto t = parse_time(c.text);
            CPPUNIT_ASSERT_MESSAGE(c.label, t.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, *t);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("2026-11-25T16:04:05Z"), iso_time(1795622645));
    }

    void bad_times_are_errors()
    {
        for (const char* text :
            { "", "yesterday", "2026-13-01", "2026-02-30", "2023-02-29", "2026-11-25T25:00Z",
                "2026-11-25T10:00:00+24:00", "2026-11-25X", "-5", "12abc", "1.", "2026-1-5" })
            CPPUNIT_ASSERT_MESSAGE(text, !parse_time(text).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TimeFormatTest);
