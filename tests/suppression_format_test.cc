// Tests for store/suppression_format: CSV and JSON Lines reading
// (ours and the SES forms, good and hostile lines), and writing that reads back.
#include "store/suppression_format.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <sstream>

using namespace sendsentry;
using namespace sendsentry::store;
using namespace sendsentry::store::format;

namespace {

struct ReadResult {
    std::vector<Row> rows;
    std::vector<std::int64_t> bad_lines;
};

ReadResult read_all(const std::string& text, InputFormat format = InputFormat::automatic)
{
    std::istringstream in(text);
    RowReader reader(in, format);
    ReadResult out;
    for (int guard = 0; guard < 1000; ++guard) {
        auto r = reader.next();
        if (!r) {
            out.bad_lines.push_back(reader.line());
            continue;
        }
        if (!*r)
            break;
        out.rows.push_back(std::move(**r));
    }
    return out;
}

} // namespace

class SuppressionFormatTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SuppressionFormatTest);
    CPPUNIT_TEST(csv_with_header_maps_columns_by_name);
    CPPUNIT_TEST(ses_bulk_import_csv_is_read_without_header);
    CPPUNIT_TEST(bad_csv_lines_are_reported_by_line_and_skipped);
    CPPUNIT_TEST(jsonl_is_read_in_ours_and_ses_form);
    CPPUNIT_TEST(bad_json_lines_are_reported);
    CPPUNIT_TEST(written_csv_and_json_read_back_the_same);
    CPPUNIT_TEST(ses_export_maps_reasons_and_skips_scoped);
    CPPUNIT_TEST_SUITE_END();

public:
    void csv_with_header_maps_columns_by_name()
    {
        auto r = read_all(
            "Note,EMAIL,reason,scope,expires,hits,last_seen,unknown\r\n"
            "\"said \"\"stop\"\", twice\",a@example.com,complaint,brand.example,,3,2026-11-25,x\r\n"
            "\"line one\nline two\",b@example.com,,,2026-12-01,,,\n");
        CPPUNIT_ASSERT(r.bad_lines.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rows.size());
        const Row& a = r.rows[0];
        CPPUNIT_ASSERT_EQUAL(std::string("a@example.com"), a.address);
        CPPUNIT_ASSERT_EQUAL(std::string("said \"stop\", twice"), *a.note);
        CPPUNIT_ASSERT_EQUAL(std::string("complaint"), *a.reason);
        CPPUNIT_ASSERT_EQUAL(std::string("brand.example"), *a.scope);
        CPPUNIT_ASSERT_MESSAGE(
            "empty expires column means forever", a.expires.has_value() && !a.expires->has_value());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), *a.hits);
        CPPUNIT_ASSERT_EQUAL(Time(1795564800), *a.last_seen);
        const Row& b = r.rows[1];
        CPPUNIT_ASSERT_EQUAL(std::string("line one\nline two"), *b.note);
        CPPUNIT_ASSERT_MESSAGE("empty reason is absent", !b.reason);
        CPPUNIT_ASSERT_MESSAGE("present scope column, empty: global", b.scope && b.scope->empty());
        CPPUNIT_ASSERT(b.expires && *b.expires);
    }

    void ses_bulk_import_csv_is_read_without_header()
    {
        auto r = read_all(
            "recipient1@example.com,BOUNCE\nrecipient2@example.com, COMPLAINT\n\nonly@example.com\n");
        CPPUNIT_ASSERT(r.bad_lines.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), r.rows.size());
        CPPUNIT_ASSERT_EQUAL(std::string("BOUNCE"), *r.rows[0].reason);
        CPPUNIT_ASSERT_EQUAL(std::string("COMPLAINT"), *r.rows[1].reason);
        CPPUNIT_ASSERT(!r.rows[2].reason);
    }

    void bad_csv_lines_are_reported_by_line_and_skipped()
    {
        std::string text = "address,reason,last_seen\n" // 1
                           "good1@example.com,manual,\n" // 2
                           "bad@example.com,manual,never\n" // 3
                           "\"unterminated@example.com\" x\n" // 4
                           "good2@example.com,manual,,extra\n" // 5: too many fields
                           ",manual,\n" // 6: no address
            + std::string(70000, 'a')
            + "\n" // 7: too long
              "good3@example.com\n"; // 8
        auto r = read_all(text);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rows.size());
        CPPUNIT_ASSERT(std::vector<std::int64_t>({ 3, 4, 5, 6, 7 }) == r.bad_lines);
        CPPUNIT_ASSERT_EQUAL(std::string("good3@example.com"), r.rows[1].address);

        auto q = read_all("a@example.com,manual\n\"open quote@example.com,manual\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), q.rows.size());
        CPPUNIT_ASSERT(std::vector<std::int64_t>({ 2 }) == q.bad_lines);
    }

    void jsonl_is_read_in_ours_and_ses_form()
    {
        auto r = read_all(
            "{\"address\":\"a@example.com\",\"reason\":\"unsubscribe\",\"scope\":\"b.example\","
            "\"expires\":null,\"hits\":2,\"note\":\"caf\\u00e9 \\ud83d\\ude00\"}\n"
            "\n"
            "{\"emailAddress\": \"r1@example.com\", \"reason\": \"BOUNCE\"}\n"
            "{\"EmailAddress\":\"r2@example.com\",\"Reason\":\"COMPLAINT\",\"LastUpdateTime\":1795622645.5,"
            "\"Attributes\":{\"MessageId\":\"m-1\",\"FeedbackId\":\"f-2\"}}\n");
        CPPUNIT_ASSERT(r.bad_lines.empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), r.rows.size());
        CPPUNIT_ASSERT_EQUAL(std::string("caf\xc3\xa9 \xf0\x9f\x98\x80"), *r.rows[0].note);
        CPPUNIT_ASSERT(r.rows[0].expires && !*r.rows[0].expires);
        CPPUNIT_ASSERT_EQUAL(std::string("r1@example.com"), r.rows[1].address);
        CPPUNIT_ASSERT_EQUAL(Time(1795622645), *r.rows[2].last_seen);
        CPPUNIT_ASSERT_EQUAL(std::string("message-id=m-1 feedback-id=f-2"), *r.rows[2].detail);
    }

    void bad_json_lines_are_reported()
    {
        auto r = read_all("{\"address\":\"a@example.com\"}\n"
                          "{\"address\":\"b@example.com\"\n"
                          "{\"address\":[1,2]}\n"
                          "{\"address\":\"c@example.com\",\"hits\":-1}\n"
                          "{\"address\":\"\\ud800\"}\n"
                          "{\"note\":\"no address\"}\n"
                          "{\"address\":\"d@example.com\"} trailing\n"
                          "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}\n"
                          "{\"address\":\"e@example.com\"}\n",
            InputFormat::jsonl);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rows.size());
        CPPUNIT_ASSERT(std::vector<std::int64_t>({ 2, 3, 4, 5, 6, 7, 8 }) == r.bad_lines);
    }

    void written_csv_and_json_read_back_the_same()
    {
        Suppression e;
        e.address = "\"odd, quoted\"@example.com";
        e.scope = "brand.example";
        e.reason = Reason::soft_bounce;
        e.source = "bounce";
        e.detail = "4.2.2 mailbox \"full\"\nsecond line";
        e.first_seen = 1700000000;
        e.last_seen = 1795622645;
        e.hits = 4;
        e.expires = 1800000000;
        e.note = " padded ";
        for (const std::string& text : { csv_header() + to_csv(e), to_json(e) + "\n" }) {
            auto r = read_all(text);
            CPPUNIT_ASSERT_MESSAGE(text, r.bad_lines.empty());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text, std::size_t(1), r.rows.size());
            const Row& row = r.rows[0];
            CPPUNIT_ASSERT_EQUAL(e.address, row.address);
            CPPUNIT_ASSERT_EQUAL(e.scope, *row.scope);
            CPPUNIT_ASSERT_EQUAL(std::string("soft_bounce"), *row.reason);
            CPPUNIT_ASSERT_EQUAL(e.source, *row.source);
            CPPUNIT_ASSERT_EQUAL(e.detail, *row.detail);
            CPPUNIT_ASSERT_EQUAL(e.first_seen, *row.first_seen);
            CPPUNIT_ASSERT_EQUAL(e.last_seen, *row.last_seen);
            CPPUNIT_ASSERT_EQUAL(e.hits, *row.hits);
            CPPUNIT_ASSERT(row.expires && *row.expires == e.expires);
            CPPUNIT_ASSERT_EQUAL(e.note, *row.note);
        }
    }

    void ses_export_maps_reasons_and_skips_scoped()
    {
        Suppression e;
        e.address = "a@example.com";
        struct Case {
            Reason reason;
            const char* expected;
        };
        for (Case c : { Case { Reason::hard_bounce, "a@example.com,BOUNCE\n" },
                 Case { Reason::soft_bounce, "a@example.com,BOUNCE\n" },
                 Case { Reason::complaint, "a@example.com,COMPLAINT\n" },
                 Case { Reason::unsubscribe, "a@example.com,COMPLAINT\n" },
                 Case { Reason::manual, "a@example.com,COMPLAINT\n" } }) {
            e.reason = c.reason;
            auto line = to_ses_csv(e);
            CPPUNIT_ASSERT(line);
            CPPUNIT_ASSERT_EQUAL(std::string(c.expected), *line);
        }
        e.scope = "brand.example";
        CPPUNIT_ASSERT(!to_ses_csv(e));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SuppressionFormatTest);
