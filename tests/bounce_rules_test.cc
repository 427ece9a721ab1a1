// Tests for mail/bounce_rules: the reason table, code precedence, the SMTP
// stage rule and hard vs soft.
#include "mail/bounce_rules.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class BounceRulesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BounceRulesTest);
    CPPUNIT_TEST(wording_and_codes_give_reasons);
    CPPUNIT_TEST(hard_only_for_gone_addresses);
    CPPUNIT_TEST_SUITE_END();

public:
    void wording_and_codes_give_reasons()
    {
        struct Case {
            const char* label;
            const char* status;
            const char* command;
            const char* diagnostic;
            const char* expected;
        };
        const Case cases[] = {
            { "5.1.1 at RCPT", "5.1.1", "RCPT", "550 5.1.1 User unknown", "userunknown" },
            { "5.1.1 but the box is full", "5.1.1", "RCPT", "550 5.1.1 Mailbox full", "mailboxfull" },
            { "user unknown after DATA is a filter", "5.0.0", "DATA", "550 User unknown", "filtered" },
            { "reply naming the recipient answers RCPT", "5.0.0", "", "550 <a@example.jp>: User unknown",
                "userunknown" },
            { "5.2.2", "5.2.2", "", "", "mailboxfull" },
            { "5.7.26 authentication", "5.7.26", "", "multiple authentication checks failed", "authfailure" },
            { "DNSBL", "5.7.1", "", "Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocked" },
            { "PTR", "5.7.1", "", "The IP address sending this message does not have a PTR record setup",
                "requireptr" },
            { "DMARC", "5.7.1", "", "Email rejected per DMARC policy", "authfailure" },
            { "rate", "4.7.0", "", "Too many connections from your host", "toomanyconn" },
            { "continuation lines do not break a phrase", "5.7.1", "",
                "550-5.7.1 Messages with multiple 550 5.7.1 addresses in From: header are not accepted",
                "notcompliantrfc" },
            { "domain does not exist", "5.1.2", "", "Host or domain name not found", "hostunknown" },
            { "relay", "5.7.1", "RCPT", "554 5.7.1 Relay access denied", "norelaying" },
            { "expired", "4.4.7", "", "retry timeout exceeded", "expired" },
            { "only a code class", "5.0.0", "", "something odd happened", "onhold" },
            { "nothing at all", "", "", "", "undefined" },
        };
        for (const Case& c : cases) {
            ClassifyInput in;
            in.status = c.status;
            in.command = c.command;
            in.diagnostic = c.diagnostic;
            in.recipient = "a@example.jp";
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), classify(in));
        }
    }

    void hard_only_for_gone_addresses()
    {
        struct Case {
            const char* label;
            const char* reason;
            const char* status;
            const char* reply;
            bool guessed;
            bool expected;
        };
        const Case cases[] = {
            { "userunknown", "userunknown", "5.1.1", "550", false, true },
            { "hostunknown", "hostunknown", "5.1.2", "", false, true },
            { "hasmoved", "hasmoved", "5.1.6", "", false, true },
            { "notaccept 5xx", "notaccept", "5.1.10", "556", false, true },
            { "notaccept 4xx", "notaccept", "4.3.2", "421", false, false },
            { "notaccept without any code", "notaccept", "4.0.0", "", true, true },
            { "mailboxfull", "mailboxfull", "5.2.2", "552", false, false },
            { "blocked", "blocked", "5.7.1", "554", false, false },
            { "feedback", "feedback", "", "", false, false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, c.expected, is_hard(c.reason, c.status, c.reply, c.guessed));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BounceRulesTest);
