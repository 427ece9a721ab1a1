// Tests for reputation/event_report: sender matching, reason keys, the
// tallies of each report kind (top-N with the rest as "other"), reading from
// a real store with --since and --sender, and the JSON and CSV forms.
#include "reputation/event_report.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::reputation;

namespace {

constexpr store::Time t0 = 1'800'000'000;

store::Event event(
    store::EventKind kind, std::string recipient, std::string sender, std::string detail, store::Time at = t0)
{
    store::Event e;
    e.at = at;
    e.kind = kind;
    e.recipient = std::move(recipient);
    e.sender = std::move(sender);
    e.detail = std::move(detail);
    e.source = "test";
    return e;
}

std::string rows_of(const ReportTable& t)
{
    std::string out;
    for (const ReportRow& r : t.rows)
        out += r.key + "=" + std::to_string(r.count) + " ";
    if (t.other)
        out += "(other)=" + std::to_string(t.other);
    return out;
}

} // namespace

class EventReportTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EventReportTest);
    CPPUNIT_TEST(sender_filter_matches_domain_and_its_addresses);
    CPPUNIT_TEST(reason_key_is_the_words_before_the_diagnostic);
    CPPUNIT_TEST(bounce_tables_count_reasons_and_domains);
    CPPUNIT_TEST(tables_keep_the_top_and_count_the_rest);
    CPPUNIT_TEST(blocked_tables_count_each_refusal_an_event_stands_for);
    CPPUNIT_TEST(store_report_honours_since_and_sender);
    CPPUNIT_TEST(suppression_report_counts_active_rows);
    CPPUNIT_TEST(json_and_csv_forms);
    CPPUNIT_TEST_SUITE_END();

public:
    void sender_filter_matches_domain_and_its_addresses()
    {
        struct Case {
            const char* label;
            const char* sender;
            const char* filter;
            bool expected;
        };
        const Case cases[] = {
            { "no filter", "a@x.example", "", true },
            { "domain itself", "shop.example", "shop.example", true },
            { "domain, case", "Shop.Example", "shop.example", true },
            { "address of the domain", "news@shop.example", "shop.example", true },
            { "other domain", "news@other.example", "shop.example", false },
            { "suffix is not the domain", "news@evilshop.example", "shop.example", false },
            { "address filter: same address", "news@shop.example", "news@shop.example", true },
            { "address filter: other address", "info@shop.example", "news@shop.example", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, sender_matches(c.sender, c.filter));
    }

    void reason_key_is_the_words_before_the_diagnostic()
    {
        CPPUNIT_ASSERT_EQUAL(
            std::string("5.1.1 userunknown"), reason_key("5.1.1 userunknown: 550 5.1.1 no such user"));
        CPPUNIT_ASSERT_EQUAL(std::string("feedback abuse"), reason_key("feedback abuse"));
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), domain_key("A@Example.COM"));
        CPPUNIT_ASSERT_EQUAL(std::string("(none)"), domain_key(""));
    }

    void bounce_tables_count_reasons_and_domains()
    {
        using K = store::EventKind;
        std::vector<store::Event> ev = {
            event(K::hard_bounce, "a@gmail.example", "shop.example", "5.1.1 userunknown: 550 no such user"),
            event(K::hard_bounce, "b@gmail.example", "shop.example", "5.1.1 userunknown: 550 unknown"),
            event(K::hard_bounce, "c@yahoo.example", "news.example", "5.7.1 blocked: 550 spam"),
            event(K::soft_bounce, "d@gmail.example", "shop.example", "4.2.2 mailboxfull: 452 full"),
        };
        Report r = tally_events({ ReportKind::bounces, 0, t0, "", 20 }, ev);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 4 }, r.total);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 4 }, r.tables.size());
        struct Case {
            const char* table;
            const char* expected;
        };
        const Case cases[] = {
            { "by_reason", "5.1.1 userunknown=2 4.2.2 mailboxfull=1 5.7.1 blocked=1 " },
            { "hard_by_sender_domain", "shop.example=2 news.example=1 " },
            { "soft_by_sender_domain", "shop.example=1 " },
            { "by_recipient_domain", "gmail.example=3 yahoo.example=1 " },
        };
        for (std::size_t i = 0; i < std::size(cases); ++i) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(cases[i].table, std::string(cases[i].table), r.tables[i].name);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                cases[i].table, std::string(cases[i].expected), rows_of(r.tables[i]));
        }
    }

    void tables_keep_the_top_and_count_the_rest()
    {
        std::vector<store::Event> ev;
        for (int i = 0; i < 5; ++i)
            for (int j = 0; j <= i; ++j)
                ev.push_back(event(store::EventKind::complaint, "r@d" + std::to_string(i) + ".example",
                    "shop.example", "feedback abuse"));
        Report r = tally_events({ ReportKind::complaints, 0, t0, "", 2 }, ev);
        CPPUNIT_ASSERT_EQUAL(std::string("d4.example=5 d3.example=4 (other)=6"), rows_of(r.tables[2]));
    }

    void blocked_tables_count_each_refusal_an_event_stands_for()
    {
        using K = store::EventKind;
        std::vector<store::Event> ev = {
            event(K::blocked_send, "a@gmail.example", "news@shop.example", "suppressed: 550 5.1.1 ..."),
            event(K::blocked_send, "b@gmail.example", "info@shop.example", "sender_suspended: 450 4.7.1 ..."),
            event(K::blocked_send, "c@hotmail.example", "x@other.example", "suppressed: 550 5.7.1 ..."),
            // One event for 25 refusals of one sender over its limit (no recipient).
            event(K::blocked_send, "", "bulk@other.example", "rate_limit: DEFER_IF_PERMIT 4.7.1 ..."),
        };
        ev.back().count = 25;
        Report r = tally_events({ ReportKind::blocked_sends, 0, t0, "", 20 }, ev);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 28 }, r.total);
        CPPUNIT_ASSERT_EQUAL(
            std::string("rate_limit=25 suppressed=2 sender_suspended=1 "), rows_of(r.tables[0]));
        CPPUNIT_ASSERT_EQUAL(std::string("other.example=26 shop.example=2 "), rows_of(r.tables[1]));
        // The sender's refusals name no recipient: not in the recipient domains.
        CPPUNIT_ASSERT_EQUAL(std::string("gmail.example=2 hotmail.example=1 "), rows_of(r.tables[2]));
    }

    void store_report_honours_since_and_sender()
    {
        TempDir dir;
        auto s = open_test_store(dir.file("store.db"));
        using K = store::EventKind;
        Status w = s->write([&](store::Transaction& tx) -> Status {
            for (const store::Event& e : {
                     event(K::hard_bounce, "old@a.example", "shop.example", "5.1.1 userunknown",
                         t0 - 8 * 86400),
                     event(K::hard_bounce, "new@a.example", "shop.example", "5.1.1 userunknown", t0 - 3600),
                     event(K::soft_bounce, "soft@a.example", "shop.example", "4.2.2 mailboxfull", t0 - 3600),
                     event(K::hard_bounce, "x@b.example", "other.example", "5.1.1 userunknown", t0 - 60),
                     event(K::complaint, "c@b.example", "shop.example", "feedback abuse", t0 - 60),
                 })
                if (auto id = tx.add_event(e); !id)
                    return std::move(id).error();
            return {};
        });
        CPPUNIT_ASSERT(w.ok());
        auto r = build_report(*s, { ReportKind::bounces, t0 - 7 * 86400, t0, "shop.example", 20 });
        CPPUNIT_ASSERT_MESSAGE(r ? "" : r.error().message, r.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 2 }, r->total);
        CPPUNIT_ASSERT_EQUAL(std::string("4.2.2 mailboxfull=1 5.1.1 userunknown=1 "), rows_of(r->tables[0]));
        auto all = build_report(*s, { ReportKind::bounces, t0 - 7 * 86400, t0, "", 20 });
        CPPUNIT_ASSERT(all.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 3 }, all->total);
    }

    void suppression_report_counts_active_rows()
    {
        TempDir dir;
        auto s = open_test_store(dir.file("store.db"));
        auto row = [](std::string address, std::string scope, store::Reason reason,
                       std::optional<store::Time> expires) {
            store::Suppression e;
            e.address = std::move(address);
            e.scope = std::move(scope);
            e.reason = reason;
            e.source = "bounce";
            e.first_seen = e.last_seen = t0 - 100;
            e.expires = expires;
            return e;
        };
        Status w = s->write([&](store::Transaction& tx) -> Status {
            for (const store::Suppression& e : {
                     row("a@gmail.example", "", store::Reason::hard_bounce, std::nullopt),
                     row("b@gmail.example", "", store::Reason::complaint, std::nullopt),
                     row("c@yahoo.example", "shop.example", store::Reason::unsubscribe, std::nullopt),
                     row("d@yahoo.example", "", store::Reason::soft_bounce, t0 - 1), // expired
                 })
                if (auto st = tx.put_suppression(e); !st)
                    return st;
            return {};
        });
        CPPUNIT_ASSERT(w.ok());
        auto r = build_report(*s, { ReportKind::suppressions, t0 - 86400, t0, "", 20 });
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 3 }, r->total);
        CPPUNIT_ASSERT_EQUAL(std::string("complaint=1 hard_bounce=1 unsubscribe=1 "), rows_of(r->tables[0]));
        CPPUNIT_ASSERT_EQUAL(std::string("global=2 shop.example=1 "), rows_of(r->tables[1]));
        auto scoped = build_report(*s, { ReportKind::suppressions, t0 - 86400, t0, "shop.example", 20 });
        CPPUNIT_ASSERT(scoped.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1 }, scoped->total);
    }

    void json_and_csv_forms()
    {
        std::vector<store::Event> ev = {
            event(store::EventKind::complaint, "a@gmail.example", "shop.example", "feedback abuse, \"x\""),
        };
        Report r = tally_events({ ReportKind::complaints, t0, t0, "shop.example", 20 }, ev);
        CPPUNIT_ASSERT_EQUAL(
            std::string("{\"report\":\"complaints\",\"since\":\"2027-01-15T08:00:00Z\","
                        "\"sender\":\"shop.example\",\"total\":1,\"truncated\":false,\"tables\":{"
                        "\"by_feedback_type\":[{\"key\":\"feedback abuse, \\\"x\\\"\",\"count\":1}],"
                        "\"by_sender_domain\":[{\"key\":\"shop.example\",\"count\":1}],"
                        "\"by_recipient_domain\":[{\"key\":\"gmail.example\",\"count\":1}]}}\n"),
            to_json(r));
        CPPUNIT_ASSERT_EQUAL(std::string("table,key,count\n"
                                         "by_feedback_type,\"feedback abuse, \"\"x\"\"\",1\n"
                                         "by_sender_domain,shop.example,1\n"
                                         "by_recipient_domain,gmail.example,1\n"),
            to_csv(r));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(EventReportTest);
