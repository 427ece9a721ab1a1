// Tests for store/suppression_rules: key normalisation, the merge table
// (what a new sighting does to an existing entry), and suppression after
// repeated soft bounces, against a real SQLite store in a temporary file.
#include "store/suppression_rules.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <filesystem>

using namespace sendsentry;
using namespace sendsentry::store;

namespace {

Sighting sighting(Reason reason, std::optional<Time> expires = {}, std::string detail = "d")
{
    Sighting s;
    s.key = { "a@example.com", "" };
    s.reason = reason;
    s.source = "test";
    s.detail = std::move(detail);
    s.expires = expires;
    return s;
}

Suppression existing(Reason reason, std::optional<Time> expires = {})
{
    Suppression e;
    e.address = "a@example.com";
    e.reason = reason;
    e.detail = "old";
    e.first_seen = 10;
    e.last_seen = 20;
    e.hits = 2;
    e.expires = expires;
    e.note = "kept";
    return e;
}

} // namespace

class SuppressionRulesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SuppressionRulesTest);
    CPPUNIT_TEST(keys_are_normalised);
    CPPUNIT_TEST(bad_keys_are_errors);
    CPPUNIT_TEST(merge_follows_the_rules);
    CPPUNIT_TEST(suppress_logs_added_then_updated);
    CPPUNIT_TEST(unsubscribe_from_one_brand_spares_another);
    CPPUNIT_TEST(soft_bounces_suppress_at_limit_within_window);
    CPPUNIT_TEST(soft_bounce_suppression_expires);
    CPPUNIT_TEST(unsuppress_removes_and_logs);
    CPPUNIT_TEST_SUITE_END();

public:
    void keys_are_normalised()
    {
        struct Case {
            const char* label;
            const char* address;
            const char* scope;
            const char* want_address;
            const char* want_scope;
        };
        const Case cases[] = {
            { "domain lower-cased", "User@EXAMPLE.com", "", "User@example.com", "" },
            { "brackets dropped", "<a@example.com>", "", "a@example.com", "" },
            { "global word", "a@example.com", "global", "a@example.com", "" },
            { "star", "a@example.com", "*", "a@example.com", "" },
            { "scope lower-cased", "a@example.com", "Brand.EXAMPLE", "a@example.com", "brand.example" },
            { "scope from sender address", "a@example.com", "news@Brand.example", "a@example.com",
                "brand.example" },
            { "IDN scope to A-label", "a@example.com", "bücher.example", "a@example.com",
                "xn--bcher-kva.example" },
        };
        for (const Case& c : cases) {
            auto k = make_key(c.address, c.scope);
            CPPUNIT_ASSERT_MESSAGE(c.label, k.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.want_address), k->address);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.want_scope), k->scope);
        }
    }

    void bad_keys_are_errors()
    {
        struct Case {
            const char* label;
            std::string address;
            std::string scope;
        };
        const Case cases[] = {
            { "no at sign", "example.com", "" },
            { "null address", "<>", "" },
            { "CRLF", "a@example.com\r\nx", "" },
            { "bad scope", "a@example.com", "-bad-.example" },
            { "scope with space", "a@example.com", "a b.example" },
            { "huge", std::string(100000, 'a') + "@example.com", "" },
        };
        for (const Case& c : cases) {
            auto k = make_key(c.address, c.scope);
            CPPUNIT_ASSERT_MESSAGE(c.label, !k.ok());
            CPPUNIT_ASSERT_MESSAGE(c.label, k.error().kind == ErrorKind::invalid);
        }
    }

    void merge_follows_the_rules()
    {
        struct Case {
            const char* label;
            std::optional<Suppression> before;
            Sighting sighting;
            Reason reason;
            std::optional<Time> expires;
            std::int64_t hits;
            Time first_seen;
            std::string detail;
        };
        Sighting operator_edit = sighting(Reason::manual, 900);
        operator_edit.authoritative = true;
        const Case cases[] = {
            { "new entry", std::nullopt, sighting(Reason::hard_bounce), Reason::hard_bounce, std::nullopt, 1,
                100, "d" },
            { "expired entry starts over", existing(Reason::soft_bounce, 50),
                sighting(Reason::soft_bounce, 500), Reason::soft_bounce, 500, 1, 100, "d" },
            { "soft never weakens hard", existing(Reason::hard_bounce), sighting(Reason::soft_bounce, 500),
                Reason::hard_bounce, std::nullopt, 3, 10, "old" },
            { "soft never weakens complaint expiry", existing(Reason::complaint, 700),
                sighting(Reason::soft_bounce, 500), Reason::complaint, 700, 3, 10, "old" },
            { "hard replaces soft and its expiry", existing(Reason::soft_bounce, 500),
                sighting(Reason::hard_bounce), Reason::hard_bounce, std::nullopt, 3, 10, "d" },
            { "same reason keeps later expiry", existing(Reason::soft_bounce, 800),
                sighting(Reason::soft_bounce, 600), Reason::soft_bounce, 800, 3, 10, "d" },
            { "same reason extends expiry", existing(Reason::soft_bounce, 200),
                sighting(Reason::soft_bounce, 600), Reason::soft_bounce, 600, 3, 10, "d" },
            { "forever is the latest expiry", existing(Reason::manual, 200), sighting(Reason::manual),
                Reason::manual, std::nullopt, 3, 10, "d" },
            { "complaint replaces unsubscribe", existing(Reason::unsubscribe), sighting(Reason::complaint),
                Reason::complaint, std::nullopt, 3, 10, "d" },
            { "operator edit sets reason and expiry", existing(Reason::hard_bounce), operator_edit,
                Reason::manual, 900, 3, 10, "d" },
        };
        for (const Case& c : cases) {
            Suppression e = merge(c.before, c.sighting, 100);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, std::string(to_string(c.reason)), std::string(to_string(e.reason)));
            CPPUNIT_ASSERT_MESSAGE(c.label, c.expires == e.expires);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.hits, e.hits);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.first_seen, e.first_seen);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, Time(100), e.last_seen);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.detail, e.detail);
            if (c.before)
                CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string("kept"), e.note);
        }
    }

    void suppress_logs_added_then_updated()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        for (Time now : { 100, 200 }) {
            Status s = store->write([&](Transaction& tx) -> Status {
                auto e = suppress(tx, sighting(Reason::hard_bounce), now);
                return e ? Status() : Status(std::move(e).error());
            });
            CPPUNIT_ASSERT(s.ok());
        }
        auto events = store->list_events({});
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), events->size());
        CPPUNIT_ASSERT((*events)[0].kind == EventKind::suppression_updated);
        CPPUNIT_ASSERT((*events)[1].kind == EventKind::suppression_added);
        auto row = store->find_suppression("a@example.com", "", 300);
        CPPUNIT_ASSERT(row.ok() && row->has_value());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), (*row)->hits);
    }

    void unsubscribe_from_one_brand_spares_another()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        Sighting s = sighting(Reason::unsubscribe);
        s.key = make_key("reader@example.com", "news@brand-a.example").value();
        Status w = store->write([&](Transaction& tx) -> Status {
            auto e = suppress(tx, s, 100);
            return e ? Status() : Status(std::move(e).error());
        });
        CPPUNIT_ASSERT(w.ok());
        auto a = store->find_suppression("reader@example.com", "brand-a.example", 200);
        auto b = store->find_suppression("reader@example.com", "brand-b.example", 200);
        CPPUNIT_ASSERT(a.ok() && a->has_value());
        CPPUNIT_ASSERT(b.ok() && !b->has_value());
    }

    void soft_bounces_suppress_at_limit_within_window()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        SoftBouncePolicy policy { 3, 1000, 5000 };
        struct Step {
            Time now;
            bool suppressed_after;
        };
        // The first bounce falls out of the window before the fourth arrives.
        const Step steps[] = { { 100, false }, { 600, false }, { 1200, false }, { 1300, true } };
        for (const Step& step : steps) {
            std::optional<Suppression> result;
            Status s = store->write([&](Transaction& tx) -> Status {
                auto r = record_soft_bounce(
                    tx, sighting(Reason::soft_bounce, {}, "4.2.2 mailbox full"), policy, step.now);
                if (!r)
                    return std::move(r).error();
                result = *r;
                return {};
            });
            CPPUNIT_ASSERT(s.ok());
            std::string label = "soft bounce at " + std::to_string(step.now);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, step.suppressed_after, result.has_value());
            auto found = store->find_suppression("a@example.com", "", step.now);
            CPPUNIT_ASSERT_MESSAGE(label, found.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(label, step.suppressed_after, found->has_value());
        }
        auto found = store->find_suppression("a@example.com", "", 1300);
        CPPUNIT_ASSERT((*found)->reason == Reason::soft_bounce);
        CPPUNIT_ASSERT((*found)->expires == Time(6300));
        CPPUNIT_ASSERT((*found)->detail.find("4.2.2 mailbox full") != std::string::npos);
    }

    void soft_bounce_suppression_expires()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        SoftBouncePolicy policy { 1, 1000, 50 };
        Status s = store->write([&](Transaction& tx) -> Status {
            auto r = record_soft_bounce(tx, sighting(Reason::soft_bounce), policy, 100);
            return r ? Status() : Status(std::move(r).error());
        });
        CPPUNIT_ASSERT(s.ok());
        auto before = store->find_suppression("a@example.com", "", 149);
        auto after = store->find_suppression("a@example.com", "", 150);
        CPPUNIT_ASSERT(before.ok() && before->has_value());
        CPPUNIT_ASSERT(after.ok() && !after->has_value());
    }

    void unsuppress_removes_and_logs()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        std::vector<bool> removed;
        for (int i = 0; i < 2; ++i) {
            Status s = store->write([&](Transaction& tx) -> Status {
                if (i == 0) {
                    auto e = suppress(tx, sighting(Reason::manual), 100);
                    if (!e)
                        return std::move(e).error();
                }
                auto r = unsuppress(tx, { "a@example.com", "" }, "cli", "operator", 200);
                if (!r)
                    return std::move(r).error();
                removed.push_back(*r);
                return {};
            });
            CPPUNIT_ASSERT(s.ok());
        }
        CPPUNIT_ASSERT(removed == std::vector<bool>({ true, false }));
        EventFilter f;
        f.kind = EventKind::suppression_removed;
        auto events = store->list_events(f);
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), events->size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SuppressionRulesTest);
