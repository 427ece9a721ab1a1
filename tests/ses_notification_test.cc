// Tests for mail/ses_notification: SES JSON, direct and inside SNS.
#include "mail/ses_notification.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class SesNotificationTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SesNotificationTest);
    CPPUNIT_TEST(bounces_in_sns_envelopes_are_read);
    CPPUNIT_TEST_SUITE_END();

public:
    void bounces_in_sns_envelopes_are_read()
    {
        std::string mail
            = "Subject: AWS Notification Message\n\n"
              "{\"Type\":\"Notification\",\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\","
              "\\\"bounce\\\":{\\\"bounceType\\\":\\\"Permanent\\\",\\\"bounceSubType\\\":\\\"General\\\","
              "\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":\\\"x@example.com\\\",\\\"status\\\":"
              "\\\"5.1.1\\\",\\\"action\\\":\\\"failed\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 "
              "user unknown\\\"}]}}\"}\n";
        auto n = read_ses_notification(parse_mime(mail));
        CPPUNIT_ASSERT(n.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("bounce"), n->type);
        CPPUNIT_ASSERT_EQUAL(std::string("Permanent"), n->bounce_type);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), n->recipients.size());
        CPPUNIT_ASSERT_EQUAL(std::string("550 5.1.1 user unknown"), n->recipients[0].diagnostic);
        CPPUNIT_ASSERT_EQUAL(std::string("mailboxfull"), ses_reason("Transient", "MailboxFull"));
        CPPUNIT_ASSERT(!read_ses_notification(parse_mime("Subject: x\n\nnot json\n")).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SesNotificationTest);
