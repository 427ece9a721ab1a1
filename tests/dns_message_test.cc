// Tests for auth/dns_message: query encoding and hostile response decoding.
#include "auth/dns_message.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

namespace {

// A response for QNAME/TYPE with the given answer records (already wire).
std::string response(std::uint16_t id, std::uint16_t flags, std::string_view qname_wire, std::uint16_t qtype,
    int ancount, std::string_view answers)
{
    std::string m;
    auto put16 = [&m](unsigned v) {
        m += char(v >> 8);
        m += char(v & 0xff);
    };
    put16(id);
    put16(flags);
    put16(1);
    put16(ancount);
    put16(0);
    put16(0);
    m += qname_wire;
    put16(qtype);
    put16(1);
    m += answers;
    return m;
}

const std::string example_com("\x07"
                              "example\x03"
                              "com\x00",
    13);

} // namespace

class DnsMessageTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DnsMessageTest);
    CPPUNIT_TEST(query_is_encoded_with_labels_and_recursion_desired);
    CPPUNIT_TEST(names_over_dns_limits_are_refused);
    CPPUNIT_TEST(txt_strings_are_concatenated);
    CPPUNIT_TEST(compressed_names_are_followed);
    CPPUNIT_TEST(hostile_responses_are_errors_not_crashes);
    CPPUNIT_TEST_SUITE_END();

public:
    void query_is_encoded_with_labels_and_recursion_desired()
    {
        auto q = encode_query(0x1234, "Example.COM.", RrType::txt);
        CPPUNIT_ASSERT(q.ok());
        std::string expected("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                             "\x07"
                             "Example\x03"
                             "COM\x00\x00\x10\x00\x01",
            29);
        CPPUNIT_ASSERT_EQUAL(expected, *q);
    }

    void names_over_dns_limits_are_refused()
    {
        struct Case {
            const char* label;
            std::string name;
            bool valid;
        };
        const Case cases[] = {
            { "plain", "example.com", true },
            { "63-octet label", std::string(63, 'a') + ".com", true },
            { "64-octet label", std::string(64, 'a') + ".com", false },
            { "empty label", "a..com", false },
            { "empty", "", false },
            { "253 characters",
                std::string(61, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "."
                    + std::string(63, 'd'),
                true },
            { "254 characters",
                std::string(62, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "."
                    + std::string(63, 'd'),
                false },
        };
        for (const Case& c : cases) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.valid, valid_query_name(c.name));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.valid, encode_query(1, c.name, RrType::a).ok());
        }
    }

    void txt_strings_are_concatenated()
    {
        // Answer: pointer to the question name, TXT, IN, TTL 300, two strings.
        std::string rdata = std::string("\x06v=spf1\x05 -all", 13);
        std::string rr
            = std::string("\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c\x00", 11) + char(rdata.size()) + rdata;
        auto r = decode_response(response(7, 0x8180, example_com, 16, 1, rr));
        CPPUNIT_ASSERT_MESSAGE(r ? "" : r.error().message, r.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), r->answers.size());
        CPPUNIT_ASSERT_EQUAL(std::string("v=spf1 -all"), r->answers[0].data);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r->answers[0].strings);
        CPPUNIT_ASSERT_EQUAL(std::uint32_t(300), r->answers[0].ttl);
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), r->answers[0].name);
    }

    void compressed_names_are_followed()
    {
        // MX 10 mail.<pointer to example.com>
        std::string rdata = std::string("\x00\x0a\x04mail\xc0\x0c", 9);
        std::string rr
            = std::string("\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x3c\x00", 11) + char(rdata.size()) + rdata;
        auto r = decode_response(response(7, 0x8180, example_com, 15, 1, rr));
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("mail.example.com"), r->answers.at(0).data);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t(10), r->answers.at(0).preference);
    }

    void hostile_responses_are_errors_not_crashes()
    {
        struct Case {
            const char* label;
            std::string message;
        };
        std::string loop_rr
            = std::string("\xc0\x1d\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04", 16);
        const Case cases[] = {
            { "empty", "" },
            { "short header", std::string("\x00\x01\x81", 3) },
            { "not a response", response(1, 0x0100, example_com, 1, 0, "") },
            { "answer count beyond data", response(1, 0x8180, example_com, 1, 5, "") },
            { "pointer loop", response(1, 0x8180, example_com, 1, 1, loop_rr) },
            { "A record of 3 octets",
                response(1, 0x8180, example_com, 1, 1,
                    std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x03\x01\x02\x03", 15)) },
            { "TXT string overruns rdata",
                response(1, 0x8180, example_com, 16, 1,
                    std::string("\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x02\x09x", 14)) },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !decode_response(c.message).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DnsMessageTest);
