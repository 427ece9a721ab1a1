// Tests for mail/mime: line ends, folded and encoded headers, multipart
// walking, transfer decoding, caps on hostile input.
#include "mail/mime.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::mail;

class MimeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MimeTest);
    CPPUNIT_TEST(line_ends_become_lf);
    CPPUNIT_TEST(headers_are_unfolded_and_decoded);
    CPPUNIT_TEST(multipart_parts_are_decoded);
    CPPUNIT_TEST(rewritten_boundary_is_recovered);
    CPPUNIT_TEST(caps_bound_hostile_input);
    CPPUNIT_TEST_SUITE_END();

public:
    void line_ends_become_lf()
    {
        struct Case {
            const char* label;
            std::string input;
            std::string expected;
        };
        const Case cases[] = {
            { "LF kept", "a\nb\n", "a\nb\n" },
            { "CRLF", "a\r\nb\r\n", "a\nb\n" },
            { "bare CR", "a\rb\r", "a\nb\n" },
            { "mixed", "a\r\n\rb\n", "a\n\nb\n" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, normalize_line_ends(c.input));
    }

    void headers_are_unfolded_and_decoded()
    {
        MimeMessage m = parse_mime("Subject: =?UTF-8?B?TnlhYW4=?= =?UTF-8?Q?_cat?=\r\n"
                                   "X-Long: one\r\n\ttwo\r\n"
                                   "Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n\r\nbody\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("Nyaan cat"), std::string(m.headers.get("subject")));
        CPPUNIT_ASSERT_EQUAL(std::string("one two"), std::string(m.headers.get("X-Long")));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), m.parts.size());
        CPPUNIT_ASSERT_EQUAL(std::string("iso-8859-1"), m.parts[0].charset);
        CPPUNIT_ASSERT_EQUAL(std::string("body\n"), m.parts[0].body);
    }

    void multipart_parts_are_decoded()
    {
        std::string msg
            = "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n"
              "preamble\n--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
              "caf=C3=A9 soft=\nbreak\n--b1\nContent-Type: message/delivery-status\n"
              "Content-Transfer-Encoding: base64\n\nU3RhdHVzOiA1LjEuMQ==\n--b1--\nepilogue\n";
        MimeMessage m = parse_mime(msg);
        CPPUNIT_ASSERT_EQUAL(std::string("multipart/report"), m.type);
        CPPUNIT_ASSERT_EQUAL(std::string("delivery-status"), m.report_type);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), m.parts.size());
        CPPUNIT_ASSERT_EQUAL(std::string("caf\xc3\xa9 softbreak"), m.parts[0].body);
        CPPUNIT_ASSERT_EQUAL(std::string("message/delivery-status"), m.parts[1].type);
        CPPUNIT_ASSERT_EQUAL(std::string("Status: 5.1.1"), m.parts[1].body);
    }

    void rewritten_boundary_is_recovered()
    {
        std::string msg = "Content-Type: multipart/mixed; boundary=\"declared-but-absent\"\n\n"
                          "--real-boundary-123\nContent-Type: text/plain\n\none\n"
                          "--real-boundary-123\nContent-Type: text/plain\n\ntwo\n--real-boundary-123--\n";
        MimeMessage m = parse_mime(msg);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), m.parts.size());
        CPPUNIT_ASSERT_EQUAL(std::string("two"), m.parts[1].body);
    }

    void caps_bound_hostile_input()
    {
        // Nested multiparts deeper than the cap, and more parts than kept.
        std::string deep;
        for (int i = 0; i < 50; ++i)
            deep += "Content-Type: multipart/mixed; boundary=\"d" + std::to_string(i) + "\"\n\n--d"
                + std::to_string(i) + "\n";
        MimeMessage a = parse_mime(deep);
        CPPUNIT_ASSERT(a.parts.size() <= MimeLimits {}.max_parts);

        std::string many = "Content-Type: multipart/mixed; boundary=x\n\n";
        for (int i = 0; i < 1000; ++i)
            many += "--x\n\npart\n";
        MimeMessage b = parse_mime(many);
        CPPUNIT_ASSERT_EQUAL(MimeLimits {}.max_parts, b.parts.size());
        CPPUNIT_ASSERT(b.truncated);

        MimeLimits small;
        small.max_bytes = 1024;
        MimeMessage c = parse_mime(std::string(1 << 20, 'x'), small);
        CPPUNIT_ASSERT(c.truncated);
        CPPUNIT_ASSERT(c.parts.at(0).body.size() <= 1024);

        // Junk bytes and NULs never crash.
        std::string junk;
        for (int i = 0; i < 4096; ++i)
            junk += static_cast<char>((i * 131) & 0xff);
        (void)parse_mime(junk);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MimeTest);
