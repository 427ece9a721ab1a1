// Tests for mail/auto_reply: RFC 3834 and the usual vacation markers.
#include "mail/auto_reply.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class AutoReplyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AutoReplyTest);
    CPPUNIT_TEST(automatic_replies_are_recognised);
    CPPUNIT_TEST_SUITE_END();

public:
    void automatic_replies_are_recognised()
    {
        struct Case {
            const char* label;
            const char* header;
            bool expected;
        };
        const Case cases[] = {
            { "RFC 3834", "Auto-Submitted: auto-replied\n", true },
            { "auto-generated is not a reply", "Auto-Submitted: auto-generated\n", false },
            { "X-Autoreply", "X-Autoreply: yes\n", true },
            { "Outlook subject", "Subject: Automatic reply: hello\n", true },
            { "precedence", "Precedence: auto_reply\n", true },
            { "plain", "Subject: hello\n", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, c.expected, is_auto_reply(parse_mime(std::string(c.header) + "\nbody\n").headers));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AutoReplyTest);
