// Tests for mail/text_bounce: cutting the returned message, finding failed
// recipients in vendor wording, and recognising a bounce at all.
#include "mail/text_bounce.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class TextBounceTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TextBounceTest);
    CPPUNIT_TEST(returned_message_is_cut_off);
    CPPUNIT_TEST(recipients_and_their_words_are_found);
    CPPUNIT_TEST(bounces_are_told_from_mail);
    CPPUNIT_TEST_SUITE_END();

public:
    void returned_message_is_cut_off()
    {
        std::string text = "failed:\n  a@example.com\n    550 no\n\n"
                           "------ This is a copy of the message, including all the headers. ------\n"
                           "To: b@example.com\n";
        CPPUNIT_ASSERT_EQUAL(std::string("failed:\n  a@example.com\n    550 no\n\n"),
            std::string(strip_returned_message(text)));
    }

    void recipients_and_their_words_are_found()
    {
        std::string text
            = "I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
              "<one@example.com>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 no such user\n\n"
              "<two@example.org>:\nSorry, I couldn't find any host named example.org. (#5.1.2)\n\n"
              "For help, please contact <help@relay.example>\n"
              "Sent by sender@shop.example\n";
        auto found = read_text_bounce(text, { "sender@shop.example" });
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), found.size());
        CPPUNIT_ASSERT_EQUAL(std::string("one@example.com"), found[0].recipient);
        CPPUNIT_ASSERT(found[0].diagnostic.find("no such user") != std::string::npos);
        CPPUNIT_ASSERT(found[0].diagnostic.find("couldn't find") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("two@example.org"), found[1].recipient);
    }

    void bounces_are_told_from_mail()
    {
        CPPUNIT_ASSERT(looks_like_bounce("MAILER-DAEMON@mx.example.net", "hello", ""));
        CPPUNIT_ASSERT(looks_like_bounce("x@example.net", "Undeliverable: hello", ""));
        CPPUNIT_ASSERT(
            looks_like_bounce("x@example.net", "Re: hi", "Your message could not be delivered to"));
        CPPUNIT_ASSERT(!looks_like_bounce("friend@example.net", "lunch", "see you at noon"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextBounceTest);
