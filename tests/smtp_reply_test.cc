// Tests for mail/smtp_reply: codes, commands and hosts found in free text.
#include "mail/smtp_reply.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class SmtpReplyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SmtpReplyTest);
    CPPUNIT_TEST(codes_commands_and_hosts_are_found);
    CPPUNIT_TEST_SUITE_END();

public:
    void codes_commands_and_hosts_are_found()
    {
        struct Case {
            const char* label;
            const char* text;
            const char* status;
            const char* reply;
            const char* command;
            const char* host;
        };
        const Case cases[] = {
            { "postfix",
                "host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to "
                "RCPT TO command)",
                "5.1.1", "550", "RCPT", "mx.example.com" },
            { "an IP is not a code", "connect to 192.0.2.5.1: timed out", "", "", "", "" },
            { "qmail", "Remote host said: 552 Error: quota exceeded (#5.2.2)", "5.2.2", "552", "", "" },
            { "exim",
                "SMTP error from remote mail server after end of data:\n host mx.example.org [192.0.2.2]: "
                "554 5.7.0 Header error",
                "5.7.0", "554", "DATA", "mx.example.org" },
            { "sendmail transcript", ">>> RCPT To:<a@b.example>\n<<< 550 5.1.1 <a@b.example>... User unknown",
                "5.1.1", "550", "RCPT", "" },
            { "sizes are not replies", "message of 500 bytes", "", "", "", "" },
        };
        for (const Case& c : cases) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.status), find_status_code(c.text));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.reply), find_reply_code(c.text));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.command), find_command(c.text));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.host), find_remote_host(c.text));
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SmtpReplyTest);
