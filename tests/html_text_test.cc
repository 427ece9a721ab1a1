// Tests for mail/html_text.
#include "mail/html_text.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class HtmlTextTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HtmlTextTest);
    CPPUNIT_TEST(tags_go_and_entities_are_decoded);
    CPPUNIT_TEST_SUITE_END();

public:
    void tags_go_and_entities_are_decoded()
    {
        std::string t
            = html_to_text("<style>p{}</style><p>Delivery to &lt;a@example.com&gt;</p>failed<br>x<");
        CPPUNIT_ASSERT(t.find("p{}") == std::string::npos);
        CPPUNIT_ASSERT(t.find("\nDelivery to <a@example.com>\nfailed\nx") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HtmlTextTest);
