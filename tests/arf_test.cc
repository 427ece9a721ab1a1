// Tests for mail/arf: RFC 5965 reports, redacted ones, Microsoft JMRP.
#include "mail/arf.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class ArfTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ArfTest);
    CPPUNIT_TEST(feedback_reports_name_the_complainant);
    CPPUNIT_TEST(ordinary_mail_is_not_feedback);
    CPPUNIT_TEST_SUITE_END();

public:
    void feedback_reports_name_the_complainant()
    {
        MimeMessage arf
            = parse_mime("Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
                         "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: opt-out\n"
                         "Original-Rcpt-To: one@isp.example\nOriginal-Rcpt-To: two@isp.example\n"
                         "--b\nContent-Type: message/rfc822\n\nFrom: news@shop.example\n\nx\n--b--\n");
        auto a = read_feedback(arf);
        CPPUNIT_ASSERT(a.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("opt-out"), a->feedback_type);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), a->recipients.size());
        CPPUNIT_ASSERT_EQUAL(std::string("news@shop.example"), a->original_from);

        MimeMessage redacted
            = parse_mime("Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
                         "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
                         "--b\nContent-Type: text/rfc822-headers\n\nFrom: news@shop.example\n"
                         "To: <Undisclosed Recipients>\n--b--\n");
        auto r = read_feedback(redacted);
        CPPUNIT_ASSERT(r.has_value());
        CPPUNIT_ASSERT(r->recipients.empty());

        MimeMessage jmrp
            = parse_mime("From: staff@hotmail.com\nContent-Type: multipart/mixed; boundary=j\n\n"
                         "--j\nContent-Type: message/rfc822\n\nX-HmXmrOriginalRecipient: me@outlook.example\n"
                         "From: news@shop.example\n\nx\n--j--\n");
        auto j = read_feedback(jmrp);
        CPPUNIT_ASSERT(j.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("abuse"), j->feedback_type);
        CPPUNIT_ASSERT_EQUAL(std::string("me@outlook.example"), j->recipients.at(0));
    }

    void ordinary_mail_is_not_feedback()
    {
        CPPUNIT_ASSERT(!read_feedback(parse_mime("From: a@b.example\n\nhello\n")).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ArfTest);
