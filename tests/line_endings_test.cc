// Tests for dkim/line_endings: bare LF and CR become CRLF, across chunks.
#include "dkim/line_endings.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::dkim;

class LineEndingsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LineEndingsTest);
    CPPUNIT_TEST(line_ends_become_crlf);
    CPPUNIT_TEST(chunk_boundaries_do_not_matter);
    CPPUNIT_TEST_SUITE_END();

public:
    void line_ends_become_crlf()
    {
        struct Case {
            const char* label;
            std::string in;
            std::string out;
        };
        const Case cases[] = {
            { "crlf kept", "a\r\nb\r\n", "a\r\nb\r\n" },
            { "bare lf", "a\nb\n", "a\r\nb\r\n" },
            { "bare cr", "a\rb\r", "a\r\nb\r\n" },
            { "mixed", "a\r\n\nb\r\r\nc", "a\r\n\r\nb\r\n\r\nc" },
            { "empty", "", "" },
            { "8-bit kept", "caf\xc3\xa9\n", "caf\xc3\xa9\r\n" },
            { "lf cr", "a\n\rb", "a\r\n\r\nb" },
            { "cr at end", "a\r", "a\r\n" },
            { "cr cr lf", "a\r\r\nb", "a\r\n\r\nb" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.out, to_crlf(c.in));
    }

    void chunk_boundaries_do_not_matter()
    {
        std::string in = "line one\r\nline two\nthree\rfour\r\n\r\nend\r";
        std::string want = to_crlf(in);
        for (std::size_t split = 0; split <= in.size(); ++split) {
            LineEndingNormalizer n;
            std::string out;
            auto append = [&out](std::string_view piece) { out += piece; };
            n.feed(in.substr(0, split), append);
            n.feed(in.substr(split), append);
            n.finish(append);
            CPPUNIT_ASSERT_EQUAL_MESSAGE("split at " + std::to_string(split), want, out);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LineEndingsTest);
