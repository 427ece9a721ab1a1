// Tests for mail/dsn: RFC 3464 fields per recipient, folded values, missing
// blank lines between groups, and status code validation.
#include "mail/dsn.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class DsnTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DsnTest);
    CPPUNIT_TEST(recipients_are_read_per_group);
    CPPUNIT_TEST(status_codes_are_validated);
    CPPUNIT_TEST(dsn_fields_in_plain_text_are_recognised);
    CPPUNIT_TEST_SUITE_END();

public:
    void recipients_are_read_per_group()
    {
        DsnReport r = parse_dsn("Reporting-MTA: dns; mx.example.net\n\n"
                                "Final-Recipient: rfc822; User@Example.COM\n"
                                "Original-Recipient: rfc822;user@example.com\n"
                                "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.com\n"
                                "Diagnostic-Code: smtp; 550 5.1.1 <user@example.com>: Recipient\n"
                                "    address rejected: User unknown\n"
                                "Final-Recipient: rfc822; other@example.org\n" // no blank line before
                                "Action: delayed\nStatus: 4.4.7\n");
        CPPUNIT_ASSERT_EQUAL(std::string("mx.example.net"), r.reporting_mta);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.recipients.size());
        const DsnRecipient& a = r.recipients[0];
        CPPUNIT_ASSERT_EQUAL(std::string("User@example.com"), a.final_recipient);
        CPPUNIT_ASSERT_EQUAL(std::string("failed"), a.action);
        CPPUNIT_ASSERT_EQUAL(std::string("5.1.1"), a.status);
        CPPUNIT_ASSERT_EQUAL(std::string("SMTP"), a.diagnostic_type);
        CPPUNIT_ASSERT_EQUAL(std::string("550"), a.reply_code);
        CPPUNIT_ASSERT_EQUAL(
            std::string("550 5.1.1 <user@example.com>: Recipient address rejected: User unknown"),
            a.diagnostic);
        CPPUNIT_ASSERT_EQUAL(std::string("delayed"), r.recipients[1].action);
    }

    void status_codes_are_validated()
    {
        struct Case {
            const char* label;
            const char* input;
            const char* expected;
        };
        const Case cases[] = {
            { "plain", "5.1.1", "5.1.1" },
            { "three-digit detail", "5.7.515", "5.7.515" },
            { "trailing comment", "4.4.7 (delivery expired)", "4.4.7" },
            { "class 3 invalid", "3.1.1", "" },
            { "not a code", "failed", "" },
            { "missing detail", "5.1.", "" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), valid_status(c.input));
    }

    void dsn_fields_in_plain_text_are_recognised()
    {
        CPPUNIT_ASSERT(
            looks_like_dsn_fields("intro\nFinal-Recipient: rfc822; a@example.com\nStatus: 5.0.0\n"));
        CPPUNIT_ASSERT(!looks_like_dsn_fields("Hello, your recipient was happy.\n"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DsnTest);
