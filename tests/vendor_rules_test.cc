// Tests for mail/vendor_rules: receiver code tables and product wording.
#include "mail/vendor_rules.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class VendorRulesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VendorRulesTest);
    CPPUNIT_TEST(receiver_codes_decide);
    CPPUNIT_TEST_SUITE_END();

public:
    void receiver_codes_decide()
    {
        struct Case {
            const char* label;
            const char* recipient;
            const char* status;
            const char* diagnostic;
            const char* expected;
        };
        const Case cases[] = {
            { "Cox AUP code", "a@cox.net", "5.1.0", "550 sender rejected. AUP#CXBL", "blocked" },
            { "Orange code", "a@orange.fr", "5.0.0",
                "550 5.5.0 Le compte du destinataire est bloque. LPN007_426", "suspend" },
            { "Google Groups", "list@googlegroups.com", "5.0.0", "group may not exist", "rejected" },
            { "Domino", "a@example.jp", "5.0.0",
                "User some.name (a@example.jp) not listed in Domino Directory", "userunknown" },
            { "no vendor", "a@example.com", "5.1.1", "550 5.1.1 user unknown", "" },
        };
        for (const Case& c : cases) {
            ClassifyInput in;
            in.recipient = c.recipient;
            in.status = c.status;
            in.diagnostic = c.diagnostic;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), vendor_reason(in, {}));
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(VendorRulesTest);
