// Tests for reputation/html_report: series gathered from hourly counters
// (volume per step, rates over the trailing window), and the page: one chart
// per sender and metric with the thresholds drawn, the top tables as bar
// charts, names escaped, nothing fetched from anywhere.
#include "reputation/counters.hh"
#include "reputation/html_report.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::reputation;

namespace {

constexpr store::Time t0 = 1'800'000'000 - 1'800'000'000 % 3600; // an hour boundary

std::size_t occurrences(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1))
        ++n;
    return n;
}

} // namespace

class HtmlReportTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HtmlReportTest);
    CPPUNIT_TEST(chart_ids_are_safe_names);
    CPPUNIT_TEST(series_have_volume_per_step_and_trailing_rates);
    CPPUNIT_TEST(page_has_every_chart_and_threshold);
    CPPUNIT_TEST(page_is_self_contained_and_escaped);
    CPPUNIT_TEST_SUITE_END();

public:
    void chart_ids_are_safe_names()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("shop_example"), chart_id("Shop.Example"));
        CPPUNIT_ASSERT_EQUAL(std::string("sasl_alice"), chart_id("sasl:alice"));
        CPPUNIT_ASSERT_EQUAL(std::string("x_-y__"), chart_id("x\"-y<>"));
    }

    void series_have_volume_per_step_and_trailing_rates()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("store.db"));
        store::Store& s = *st;
        Status w = s.write([&](store::Transaction& tx) -> Status {
            for (auto [name, bucket, value] :
                { std::tuple { sent, t0 - 5 * 3600, 1000 }, { hard_bounce, t0 - 4 * 3600, 30 },
                    { complaint, t0 - 4 * 3600, 2 }, { sent, t0 - 2 * 3600, 1000 } })
                if (auto r = tx.add_counter("shop.example", name, bucket, value); !r)
                    return r;
            return {};
        });
        CPPUNIT_ASSERT(w.ok());
        auto r = gather_html_report(s, t0 - 6 * 3600, t0, Thresholds {}, "", 10);
        CPPUNIT_ASSERT_MESSAGE(r ? "" : r.error().message, r.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, r->senders.size());
        const SenderSeries& ss = r->senders[0];
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 2000 }, ss.sent);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 7 }, ss.points.size()); // hours -6 .. 0
        struct Case {
            const char* label;
            std::size_t point;
            std::int64_t sent, hard_ppm, complaint_ppm;
        };
        const Case cases[] = {
            { "before any mail", 0, 0, 0, 0 },
            { "first send", 1, 1000, 0, 0 },
            { "bounces arrive: 30 of 1000", 2, 0, 30000, 2000 },
            { "second send halves the rate", 4, 1000, 15000, 1000 },
        };
        for (const Case& c : cases) {
            const SeriesPoint& p = ss.points[c.point];
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.sent, p.sent);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.hard_ppm, p.hard_bounce_ppm);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.complaint_ppm, p.complaint_ppm);
        }
    }

    void page_has_every_chart_and_threshold()
    {
        HtmlReport r = sample();
        std::string page = render_html(r);
        for (const char* id : { "id=\"volume-shop_example\"", "id=\"hard-bounce-rate-shop_example\"",
                 "id=\"complaint-rate-shop_example\"", "id=\"volume-sasl_alice\"",
                 "id=\"top-bounce-reasons\"", "id=\"top-blocked-domains\"" })
            CPPUNIT_ASSERT_MESSAGE(id, page.find(id) != std::string::npos);
        // Two thresholds per rate chart, two rate charts per sender.
        CPPUNIT_ASSERT_EQUAL(std::size_t { 4 }, occurrences(page, "<line class=\"threshold warning\""));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 4 }, occurrences(page, "<line class=\"threshold suspension\""));
        CPPUNIT_ASSERT(
            page.find("data-metric=\"hard-bounce-rate\" data-threshold=\"8%\"") != std::string::npos);
        CPPUNIT_ASSERT(
            page.find("data-metric=\"complaint-rate\" data-threshold=\"0.30%\"") != std::string::npos);
        CPPUNIT_ASSERT(page.find("data-key=\"5.1.1 userunknown\"") != std::string::npos);
        CPPUNIT_ASSERT(page.find("data-key=\"gmail.example\"") != std::string::npos);
    }

    void page_is_self_contained_and_escaped()
    {
        HtmlReport r = sample();
        r.senders[1].sender = "<script>alert(1)</script>";
        std::string page = render_html(r);
        for (const char* fetch : { "<script", "src=", "@import", "url(", "http:", "https:", "<link" })
            CPPUNIT_ASSERT_MESSAGE(fetch, page.find(fetch) == std::string::npos);
        CPPUNIT_ASSERT(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    }

private:
    static HtmlReport sample()
    {
        HtmlReport r;
        r.since = t0 - 3 * 3600;
        r.now = t0;
        for (const char* name : { "shop.example", "sasl:alice" }) {
            SenderSeries s;
            s.sender = name;
            for (int i = 0; i < 4; ++i)
                s.points.push_back({ t0 - (3 - i) * 3600, 100, 100 * (i + 1), 10000 * i, 500 * i });
            r.senders.push_back(s);
        }
        r.bounce_reasons = { "by_reason", "status and reason",
            { { "5.1.1 userunknown", 7 }, { "4.2.2 mailboxfull", 2 } }, 0 };
        r.blocked_domains = { "by_recipient_domain", "recipient domain", { { "gmail.example", 3 } }, 0 };
        return r;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HtmlReportTest);
