// Tests for mail/bounce_parser: whole messages written for these tests
// (never the shared corpus) in the shapes real MTAs send, through every
// reader: DSN, vendor text, ARF, SES, unsubscribe, auto-reply, success.
#include "mail/bounce_parser.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

namespace {

const std::string postfix_dsn = "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
                                "To: sender@shop.example\n"
                                "Subject: Undelivered Mail Returned to Sender\n"
                                "Content-Type: multipart/report; report-type=delivery-status;\n"
                                "\tboundary=\"BOUNDARY.1\"\n\n"
                                "--BOUNDARY.1\nContent-Type: text/plain\n\n"
                                "<gone@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1\n"
                                "    <gone@example.com>: Recipient address rejected: User unknown (in reply\n"
                                "    to RCPT TO command)\n\n"
                                "--BOUNDARY.1\nContent-Type: message/delivery-status\n\n"
                                "Reporting-MTA: dns; mx.example.net\n\n"
                                "Final-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n"
                                "Remote-MTA: dns; mx.example.com\n"
                                "Diagnostic-Code: smtp; 550 5.1.1 <gone@example.com>: Recipient address\n"
                                "    rejected: User unknown\n\n"
                                "--BOUNDARY.1\nContent-Type: text/rfc822-headers\n\n"
                                "From: News <news@shop.example>\nTo: gone@example.com\n"
                                "Message-ID: <123@shop.example>\n\n--BOUNDARY.1--\n";

std::string with_line_ends(const std::string& s, const char* eol)
{
    std::string out;
    for (char c : s) {
        if (c == '\n')
            out += eol;
        else
            out += c;
    }
    return out;
}

} // namespace

class BounceParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BounceParserTest);
    CPPUNIT_TEST(dsn_gives_one_failure_per_recipient_in_any_line_ends);
    CPPUNIT_TEST(vendor_text_bounces_are_read);
    CPPUNIT_TEST(complaints_and_unsubscribes_are_feedback);
    CPPUNIT_TEST(non_bounces_report_nothing);
    CPPUNIT_TEST(encoded_and_huge_messages_are_handled);
    CPPUNIT_TEST(return_path_token_decides_the_sender_domain);
    CPPUNIT_TEST_SUITE_END();

public:
    void dsn_gives_one_failure_per_recipient_in_any_line_ends()
    {
        for (const char* eol : { "\n", "\r\n", "\r" }) {
            BounceReport r = parse_bounce(with_line_ends(postfix_dsn, eol));
            std::string label = std::string("line end ") + (eol[0] == '\n' ? "LF" : eol[1] ? "CRLF" : "CR");
            CPPUNIT_ASSERT_MESSAGE(label, r.kind == ReportKind::bounce);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::size_t(1), r.failures.size());
            const Failure& f = r.failures[0];
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("gone@example.com"), f.recipient);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("5.1.1"), f.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("550"), f.reply_code);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("userunknown"), f.reason);
            CPPUNIT_ASSERT_MESSAGE(label, f.hard);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("mx.example.com"), f.remote_mta);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, std::string("shop.example"), r.sender_domain);
        }
    }

    void vendor_text_bounces_are_read()
    {
        struct Case {
            const char* label;
            std::string message;
            const char* recipient;
            const char* reason;
            bool hard;
        };
        const Case cases[] = {
            { "exim, mailbox full",
                "From: Mail Delivery System <Mailer-Daemon@relay.example.net>\nTo: sender@shop.example\n"
                "Subject: Mail delivery failed: returning message to sender\n"
                "X-Failed-Recipients: full@example.org\n\n"
                "A message that you sent could not be delivered to one or more of its\n"
                "recipients. This is a permanent error. The following address(es) failed:\n\n"
                "  full@example.org\n    host mx.example.org [192.0.2.7]\n"
                "    SMTP error from remote mail server after RCPT TO:<full@example.org>:\n"
                "    552 5.2.2 Mailbox full\n\n"
                "------ This is a copy of the message, including all the headers. ------\n\n"
                "From: sender@shop.example\nTo: full@example.org\n\nhello\n",
                "full@example.org", "mailboxfull", false },
            { "qmail, no such domain",
                "From: MAILER-DAEMON@mx.example.net\nTo: sender@shop.example\nSubject: failure notice\n\n"
                "Hi. This is the qmail-send program at mx.example.net.\n"
                "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                "<someone@nowhere.example>:\nSorry, I couldn't find any host named nowhere.example. "
                "(#5.1.2)\n\n"
                "--- Below this line is a copy of the message.\n\nFrom: sender@shop.example\n\nhi\n",
                "someone@nowhere.example", "hostunknown", true },
            { "sendmail transcript, blocked",
                "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.net>\nTo: sender@shop.example\n"
                "Subject: Returned mail: see transcript for details\n\n"
                "   ----- The following addresses had permanent fatal errors -----\n<rcpt@example.jp>\n\n"
                "   ----- Transcript of session follows -----\n... while talking to mx.example.jp.:\n"
                ">>> MAIL From:<sender@shop.example>\n"
                "<<< 554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org\n"
                "554 5.0.0 Service unavailable\n\n   ----- Original message follows -----\n\nFrom: "
                "x@y.example\n",
                "rcpt@example.jp", "blocked", false },
        };
        for (const Case& c : cases) {
            BounceReport r = parse_bounce(c.message);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::size_t(1), r.failures.size());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.recipient), r.failures[0].recipient);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.reason), r.failures[0].reason);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.hard, r.failures[0].hard);
        }
    }

    void complaints_and_unsubscribes_are_feedback()
    {
        std::string arf
            = "From: fbl@isp.example\nTo: fbl@shop.example\nSubject: complaint\n"
              "Content-Type: multipart/report; report-type=feedback-report; boundary=\"f\"\n\n"
              "--f\nContent-Type: text/plain\n\nA complaint.\n"
              "--f\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
              "User-Agent: Test/1.0\nVersion: 1\nOriginal-Mail-From: <bounce@shop.example>\n"
              "Original-Rcpt-To: <reader@isp.example>\n"
              "--f\nContent-Type: message/rfc822\n\nFrom: news@shop.example\nTo: reader@isp.example\n\nhi\n"
              "--f--\n";
        BounceReport a = parse_bounce(arf);
        CPPUNIT_ASSERT(a.kind == ReportKind::feedback);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), a.failures.size());
        CPPUNIT_ASSERT_EQUAL(std::string("reader@isp.example"), a.failures[0].recipient);
        CPPUNIT_ASSERT_EQUAL(std::string("abuse"), a.failures[0].feedback_type);
        CPPUNIT_ASSERT_EQUAL(std::string("shop.example"), a.sender_domain);
        CPPUNIT_ASSERT(!a.failures[0].hard);

        std::string unsub = "From: Reader <reader@isp.example>\nTo: unsubscribe+abc123@bounces.shop.example\n"
                            "Subject: unsubscribe\n\nPlease remove me.\n";
        BounceReport u
            = parse_bounce(unsub, { "reader@isp.example", "unsubscribe+abc123@bounces.shop.example" });
        CPPUNIT_ASSERT(u.kind == ReportKind::feedback);
        CPPUNIT_ASSERT_EQUAL(std::string("unsubscribe"), u.why);
        CPPUNIT_ASSERT_EQUAL(std::string("reader@isp.example"), u.failures.at(0).recipient);
        CPPUNIT_ASSERT_EQUAL(std::string("opt-out"), u.failures.at(0).feedback_type);
        CPPUNIT_ASSERT_EQUAL(std::string("shop.example"), u.sender_domain);

        std::string ses
            = "From: no-reply@sns.amazonaws.com\nTo: hook@shop.example\nSubject: AWS Notification\n\n"
              "{\"notificationType\":\"Complaint\",\"complaint\":{\"complainedRecipients\":"
              "[{\"emailAddress\":\"angry@example.com\"}],\"complaintFeedbackType\":\"abuse\"}}\n";
        BounceReport s = parse_bounce(ses);
        CPPUNIT_ASSERT(s.kind == ReportKind::feedback);
        CPPUNIT_ASSERT_EQUAL(std::string("angry@example.com"), s.failures.at(0).recipient);
    }

    void non_bounces_report_nothing()
    {
        struct Case {
            const char* label;
            std::string message;
        };
        const Case cases[] = {
            { "vacation",
                "From: Away <away@example.com>\nTo: sender@shop.example\n"
                "Subject: Out of Office: hello\nAuto-Submitted: auto-replied\n\nI am away until Monday.\n" },
            { "ordinary mail",
                "From: friend@example.com\nTo: sender@shop.example\nSubject: lunch?\n\nNoon?\n" },
            { "success DSN",
                "From: MAILER-DAEMON@mx.example.net\nTo: sender@shop.example\nSubject: Successful Mail "
                "Delivery Report\n"
                "Content-Type: multipart/report; report-type=delivery-status; boundary=s\n\n"
                "--s\nContent-Type: text/plain\n\nDelivered.\n--s\nContent-Type: message/delivery-status\n\n"
                "Final-Recipient: rfc822; ok@example.com\nAction: delivered\nStatus: 2.0.0\n--s--\n" },
            { "empty", "" },
        };
        for (const Case& c : cases) {
            BounceReport r = parse_bounce(c.message);
            CPPUNIT_ASSERT_MESSAGE(c.label, r.kind == ReportKind::none);
            CPPUNIT_ASSERT_MESSAGE(c.label, r.failures.empty());
        }
    }

    void encoded_and_huge_messages_are_handled()
    {
        // The notice and the status part base64-encoded.
        std::string b64
            = "From: MAILER-DAEMON@mx.example.net\nTo: sender@shop.example\nSubject: Delivery failure\n"
              "Content-Type: multipart/report; report-type=delivery-status; boundary=z\n\n"
              "--z\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n"
              // "Final-Recipient: rfc822; q@example.com\nAction: failed\nStatus: 5.2.2\n"
              "RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IHFAZXhhbXBsZS5jb20KQWN0aW9uOiBmYWlsZWQKU3Rh\n"
              "dHVzOiA1LjIuMgo=\n--z--\n";
        BounceReport r = parse_bounce(b64);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.failures.size());
        CPPUNIT_ASSERT_EQUAL(std::string("mailboxfull"), r.failures[0].reason);

        // 20 MB of returned message after the report: read up to the cap.
        std::string huge = postfix_dsn;
        huge.insert(huge.rfind("--BOUNDARY.1--"), std::string(20 * 1024 * 1024, 'a') + "\n");
        BounceReport h = parse_bounce(huge);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), h.failures.size());
        CPPUNIT_ASSERT_EQUAL(std::string("gone@example.com"), h.failures[0].recipient);

        // 8-bit junk in the diagnostic comes out as valid UTF-8.
        std::string junk = postfix_dsn;
        junk.replace(junk.find("User unknown\n\n--BOUNDARY.1\nContent-Type: text/rfc822"), 12,
            "User \xff\xfe unknown");
        BounceReport j = parse_bounce(junk);
        CPPUNIT_ASSERT(j.failures.at(0).diagnostic.find('\xff') == std::string::npos);
    }

    void return_path_token_decides_the_sender_domain()
    {
        const std::string unreadable = "From: MAILER-DAEMON@mx.example.net\nSubject: Undeliverable\n\n"
                                       "Your message could not be delivered.\n";
        const std::string to = "bounces+aeaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.brand.example";
        struct Case {
            const char* label;
            const std::string& message;
            Envelope envelope;
            const char* expected;
        };
        const Case cases[] = {
            { "verified token over the returned headers", postfix_dsn, { "", to, "brand.example", false },
                "brand.example" },
            { "verified token, unreadable bounce", unreadable, { "", to, "brand.example", false },
                "brand.example" },
            { "refused token: the returned headers", postfix_dsn, { "", to, "", true }, "shop.example" },
            { "refused token, unreadable bounce: nobody", unreadable, { "", to, "", true }, "" },
            { "no token: the bounce subdomain as before", unreadable, { "", to, "", false },
                "brand.example" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, std::string(c.expected), parse_bounce(c.message, c.envelope).sender_domain);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BounceParserTest);
