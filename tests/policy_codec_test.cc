// Tests for policy/policy_codec: tables of good and hostile policy requests,
// requests split across reads, and reply formatting.
#include "policy/policy_codec.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::policy;

class PolicyCodecTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PolicyCodecTest);
    CPPUNIT_TEST(good_requests_are_read);
    CPPUNIT_TEST(hostile_requests_are_errors);
    CPPUNIT_TEST(requests_split_across_reads_are_reassembled);
    CPPUNIT_TEST(pipelined_requests_are_read_in_order);
    CPPUNIT_TEST(oversized_request_is_refused_before_its_end_arrives);
    CPPUNIT_TEST(reply_text_cannot_inject_lines);
    CPPUNIT_TEST_SUITE_END();

public:
    void good_requests_are_read()
    {
        struct Case {
            const char* label;
            std::string input;
            std::string name;
            std::string expected;
            std::size_t attributes;
        };
        const Case cases[] = {
            { "LF lines", "request=smtpd_access_policy\nsender=a@example.com\n\n", "sender", "a@example.com",
                2 },
            { "CRLF lines", "request=smtpd_access_policy\r\nsender=a@example.com\r\n\r\n", "sender",
                "a@example.com", 2 },
            { "CRLF lines, LF terminator", "sender=a@example.com\r\n\n", "sender", "a@example.com", 1 },
            { "empty value", "request=x\nsender=\n\n", "sender", "", 2 },
            { "value with '='", "ccert_subject=CN=a,O=b\n\n", "ccert_subject", "CN=a,O=b", 1 },
            { "unknown attribute ignored", "frobnicate=1\nsender=s@x.org\n\n", "sender", "s@x.org", 2 },
            { "absent attribute is empty", "request=x\n\n", "sender", "", 1 },
            { "repeated name: last wins", "sender=a@x.org\nsender=b@x.org\n\n", "sender", "b@x.org", 2 },
            { "UTF-8 value", "sender=josé@x.org\n\n", "sender", "josé@x.org", 1 },
            { "value keeps spaces", "helo_name= a b \n\n", "helo_name", " a b ", 1 },
        };
        for (const Case& c : cases) {
            auto r = parse_request(c.input);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": " + (r ? "" : r.error().message), r.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, std::string(r->get(c.name)));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.attributes, r->size());
        }
    }

    void hostile_requests_are_errors()
    {
        CodecLimits small { 1024, 8 };
        std::string many;
        for (int i = 0; i < 9; ++i)
            many += "a" + std::to_string(i) + "=1\n";
        struct Case {
            const char* label;
            std::string input;
            std::string error_contains;
        };
        const Case cases[] = {
            { "line without '='", "request=x\njunk\n\n", "no '='" },
            { "empty name", "=value\n\n", "empty name" },
            { "NUL in value", std::string("sender=a\0b\n\n", 12), "NUL" },
            { "NUL in name", std::string("se\0nder=a\n\n", 11), "NUL" },
            { "empty request", "\n", "empty request" },
            { "1 MB line", "sender=" + std::string(1 << 20, 'a') + "\n\n", "longer than" },
            { "1 MB line without newline", std::string(1 << 20, 'a'), "longer than" },
            { "too many attributes", many + "\n", "attributes" },
            { "exactly at size limit plus one", "a=" + std::string(1021, 'x') + "\n\n", "longer than" },
        };
        for (const Case& c : cases) {
            RequestReader reader(small);
            reader.append(c.input.data(), c.input.size());
            PolicyRequest req;
            auto status = reader.next(req);
            CPPUNIT_ASSERT_MESSAGE(c.label, status == RequestReader::Status::error);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": got \"" + reader.error_message() + "\"",
                reader.error_message().find(c.error_contains) != std::string::npos);
            // An error is final: the stream cannot be resynchronised.
            CPPUNIT_ASSERT_MESSAGE(c.label, reader.next(req) == RequestReader::Status::error);
        }
        // The boundary itself is allowed: exactly max_request_bytes.
        RequestReader reader(small);
        std::string exact = "a=" + std::string(1020, 'x') + "\n\n";
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1024 }, exact.size());
        reader.append(exact.data(), exact.size());
        PolicyRequest req;
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::request);
        // ... and exactly max_attributes.
        std::string eight;
        for (int i = 0; i < 8; ++i)
            eight += "a" + std::to_string(i) + "=1\n";
        CPPUNIT_ASSERT(parse_request(eight + "\n", small).ok());
    }

    void requests_split_across_reads_are_reassembled()
    {
        std::string text = "request=smtpd_access_policy\r\nprotocol_state=RCPT\r\nsender=a@x.org\r\n\r\n";
        RequestReader reader;
        PolicyRequest req;
        // One byte per read: every prefix asks for more, the last byte completes it.
        for (std::size_t i = 0; i + 1 < text.size(); ++i) {
            reader.append(&text[i], 1);
            CPPUNIT_ASSERT_MESSAGE("prefix of " + std::to_string(i + 1) + " bytes",
                reader.next(req) == RequestReader::Status::need_more);
        }
        reader.append(&text.back(), 1);
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::request);
        CPPUNIT_ASSERT_EQUAL(std::string("RCPT"), std::string(req.get("protocol_state")));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, req.size());
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::need_more);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, reader.buffered());
    }

    void pipelined_requests_are_read_in_order()
    {
        std::string text = "n=1\n\nn=2\n\nn=3\n";
        RequestReader reader;
        reader.append(text.data(), text.size());
        PolicyRequest req;
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::request);
        CPPUNIT_ASSERT_EQUAL(std::string("1"), std::string(req.get("n")));
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::request);
        CPPUNIT_ASSERT_EQUAL(std::string("2"), std::string(req.get("n")));
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::need_more);
        reader.append("\n", 1);
        CPPUNIT_ASSERT(reader.next(req) == RequestReader::Status::request);
        CPPUNIT_ASSERT_EQUAL(std::string("3"), std::string(req.get("n")));
    }

    void oversized_request_is_refused_before_its_end_arrives()
    {
        RequestReader reader(CodecLimits { 4096, 128 });
        std::string chunk(1000, 'a');
        chunk = "x=" + chunk;
        PolicyRequest req;
        RequestReader::Status status = RequestReader::Status::need_more;
        int reads = 0;
        while (status == RequestReader::Status::need_more && reads < 100) {
            reader.append(chunk.data(), chunk.size());
            status = reader.next(req);
            ++reads;
        }
        CPPUNIT_ASSERT(status == RequestReader::Status::error);
        CPPUNIT_ASSERT_EQUAL(5, reads); // 5 reads of 1002 bytes pass 4096
    }

    void reply_text_cannot_inject_lines()
    {
        struct Case {
            const char* label;
            std::string action;
            std::string expected;
        };
        const Case cases[] = {
            { "plain", "DUNNO", "action=DUNNO\n\n" },
            { "with text", "DEFER_IF_PERMIT 4.7.1 slow down", "action=DEFER_IF_PERMIT 4.7.1 slow down\n\n" },
            { "newline in text", "550 5.1.1 a\n\naction=OK", "action=550 5.1.1 a  action=OK\n\n" },
            { "CR and NUL", std::string("450 x\r\0y", 8), "action=450 x  y\n\n" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, format_response(c.action));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PolicyCodecTest);
