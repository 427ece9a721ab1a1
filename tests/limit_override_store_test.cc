// Tests for policy/limit_override_store: overrides and reset requests in a
// real SQLite file, as the CLI writes and the daemon polls them.
#include "policy/limit_override_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <filesystem>
#include <unistd.h>

using namespace sendsentry::policy;

class LimitOverrideStoreTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LimitOverrideStoreTest);
    CPPUNIT_TEST(set_replaces_only_the_kinds_given);
    CPPUNIT_TEST(clear_removes_a_key);
    CPPUNIT_TEST(reset_requests_are_seen_once_in_order);
    CPPUNIT_TEST(a_second_connection_sees_changes);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        char tmpl[] = "/tmp/limit_override_store_test.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        path_ = dir_ + "/store.db";
    }
    void tearDown() override { std::filesystem::remove_all(dir_); }

    void set_replaces_only_the_kinds_given()
    {
        auto s = LimitOverrideStore::open(path_, 1000);
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
        CPPUNIT_ASSERT(s->set("sender:a@x.org",
                            { { LimitKind::messages, 10, 60 }, { LimitKind::messages, 100, 3600 },
                                { LimitKind::recipients, 50, 60 } },
                            1000)
                           .ok());
        CPPUNIT_ASSERT(s->set("sender:a@x.org", { { LimitKind::messages, 5, 60 } }, 1001).ok());
        auto all = s->load();
        CPPUNIT_ASSERT(all.ok());
        const auto& limits = (*all)["sender:a@x.org"];
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, limits.size());
        CPPUNIT_ASSERT(limits[0] == (Limit { LimitKind::messages, 5, 60 }));
        CPPUNIT_ASSERT(limits[1] == (Limit { LimitKind::recipients, 50, 60 }));
    }

    void clear_removes_a_key()
    {
        auto s = LimitOverrideStore::open(path_, 1000);
        CPPUNIT_ASSERT(s->set("sasl:bob", { { LimitKind::messages, 1, 1 } }, 1).ok());
        auto removed = s->clear("sasl:bob");
        CPPUNIT_ASSERT(removed.ok() && *removed);
        removed = s->clear("sasl:bob");
        CPPUNIT_ASSERT(removed.ok() && !*removed);
        CPPUNIT_ASSERT(s->load()->empty());
    }

    void reset_requests_are_seen_once_in_order()
    {
        auto s = LimitOverrideStore::open(path_, 1000);
        CPPUNIT_ASSERT(s->request_reset("sender:a@x.org", 100).ok());
        CPPUNIT_ASSERT(s->request_reset("sasl:bob", 200).ok());
        auto r = s->resets_after(0);
        CPPUNIT_ASSERT(r.ok() && r->size() == 2);
        CPPUNIT_ASSERT_EQUAL(std::string("sender:a@x.org"), (*r)[0].second);
        auto later = s->resets_after((*r)[0].first);
        CPPUNIT_ASSERT(later.ok() && later->size() == 1 && (*later)[0].second == "sasl:bob");
        CPPUNIT_ASSERT(s->forget_resets(150).ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, s->resets_after(0)->size());
    }

    void a_second_connection_sees_changes()
    {
        auto daemon = LimitOverrideStore::open(path_, 1000);
        auto cli = LimitOverrideStore::open(path_, 1000);
        CPPUNIT_ASSERT(daemon.ok() && cli.ok());
        CPPUNIT_ASSERT(daemon->load()->empty());
        CPPUNIT_ASSERT(cli->set("domain:x.org", { { LimitKind::recipients, 9, 60 } }, 1).ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, daemon->load()->count("domain:x.org"));
    }

private:
    std::string dir_;
    std::string path_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LimitOverrideStoreTest);
