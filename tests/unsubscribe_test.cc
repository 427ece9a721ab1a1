// Tests for mail/unsubscribe: which messages are unsubscribe requests.
#include "mail/unsubscribe.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class UnsubscribeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(UnsubscribeTest);
    CPPUNIT_TEST(requests_are_recognised);
    CPPUNIT_TEST_SUITE_END();

public:
    void requests_are_recognised()
    {
        struct Case {
            const char* label;
            const char* message;
            const char* envelope_recipient;
            const char* expected; // requester, or "" for not a request
        };
        const Case cases[] = {
            { "to the unsubscribe address", "From: A <a@isp.example>\nSubject: x\n\n",
                "unsubscribe+t1@b.shop.example", "a@isp.example" },
            { "Apple Mail header", "From: a@icloud.example\nX-Apple-Unsubscribe: true\n\n", "",
                "a@icloud.example" },
            { "subject only", "From: a@isp.example\nSubject: Unsubscribe\n\n", "bounces@shop.example",
                "a@isp.example" },
            { "ordinary reply", "From: a@isp.example\nSubject: thanks\n\n", "bounces@shop.example", "" },
            { "no sender", "Subject: unsubscribe\n\n", "unsubscribe@shop.example", "" },
        };
        for (const Case& c : cases) {
            auto r = read_unsubscribe(parse_mime(c.message).headers, c.envelope_recipient);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), r ? r->address : std::string());
        }
        CPPUNIT_ASSERT(is_unsubscribe_local_part("opt-out-123"));
        CPPUNIT_ASSERT(!is_unsubscribe_local_part("unsubscribed"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(UnsubscribeTest);
