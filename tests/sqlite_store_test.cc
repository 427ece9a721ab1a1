// Tests for store/sqlite_store: lookups (found / not found / could not tell),
// transactions, idempotency keys, counters, senders, limiter state,
// quarantine, and two processes writing one file at once.
#include "store/sqlite_handle.hh"
#include "store/sqlite_schema.hh"
#include "store/sqlite_store.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace sendsentry;
using namespace sendsentry::store;

namespace {

Suppression entry(std::string address, std::string scope, Reason reason, std::optional<Time> expires = {})
{
    Suppression e;
    e.address = std::move(address);
    e.scope = std::move(scope);
    e.reason = reason;
    e.source = "test";
    e.first_seen = 1000;
    e.last_seen = 1000;
    e.expires = expires;
    return e;
}

void put(Store& store, const Suppression& e)
{
    Status s = store.write([&](Transaction& tx) { return tx.put_suppression(e); });
    CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
}

} // namespace

class SqliteStoreTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SqliteStoreTest);
    CPPUNIT_TEST(new_file_gets_latest_schema_in_wal_mode);
    CPPUNIT_TEST(lookup_applies_scope_and_expiry);
    CPPUNIT_TEST(lookup_ignores_case_of_address);
    CPPUNIT_TEST(every_scope_of_an_address_global_first);
    CPPUNIT_TEST(dropped_transaction_rolls_back);
    CPPUNIT_TEST(message_key_is_processed_once);
    CPPUNIT_TEST(failed_work_forgets_message_key);
    CPPUNIT_TEST(list_filters_and_pages);
    CPPUNIT_TEST(stats_count_active_and_expired);
    CPPUNIT_TEST(counters_sum_per_bucket);
    CPPUNIT_TEST(senders_and_limiter_state_round_trip);
    CPPUNIT_TEST(quarantine_keeps_message_whole);
    CPPUNIT_TEST(events_are_listed_newest_first_with_their_counts);
    CPPUNIT_TEST(count_events_adds_up_counts);
    CPPUNIT_TEST(locked_database_is_could_not_tell);
    CPPUNIT_TEST(garbage_file_is_corrupt);
    CPPUNIT_TEST(newer_schema_is_refused);
    CPPUNIT_TEST(two_processes_writing_lose_no_row);
    CPPUNIT_TEST_SUITE_END();

public:
    void new_file_gets_latest_schema_in_wal_mode()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        auto db = Database::open(dir.file("s.db"), false, true);
        CPPUNIT_ASSERT(db.ok());
        auto version = schema::user_version(*db);
        CPPUNIT_ASSERT(version.ok());
        CPPUNIT_ASSERT_EQUAL(schema::latest_version(), *version);
        auto mode = db->prepare("PRAGMA journal_mode");
        CPPUNIT_ASSERT(mode.ok());
        auto row = mode->step();
        CPPUNIT_ASSERT(row.ok() && *row);
        CPPUNIT_ASSERT_EQUAL(std::string("wal"), mode->column_text(0));
    }

    void lookup_applies_scope_and_expiry()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        put(*store, entry("global@example.com", "", Reason::hard_bounce));
        put(*store, entry("brand-a@example.com", "a.example", Reason::unsubscribe));
        put(*store, entry("expiring@example.com", "", Reason::soft_bounce, 2000));
        put(*store, entry("both@example.com", "a.example", Reason::unsubscribe));
        put(*store, entry("both@example.com", "", Reason::complaint));

        struct Case {
            const char* label;
            const char* address;
            const char* sender_domain;
            Time now;
            std::optional<Reason> expected;
        };
        const Case cases[] = {
            { "global entry blocks every sender", "global@example.com", "b.example", 1500,
                Reason::hard_bounce },
            { "global entry blocks with no sender domain", "global@example.com", "", 1500,
                Reason::hard_bounce },
            { "scoped entry blocks its sender", "brand-a@example.com", "a.example", 1500,
                Reason::unsubscribe },
            { "scoped entry spares another sender", "brand-a@example.com", "b.example", 1500, std::nullopt },
            { "scoped entry spares an empty sender domain", "brand-a@example.com", "", 1500, std::nullopt },
            { "before expiry blocks", "expiring@example.com", "a.example", 1999, Reason::soft_bounce },
            { "at expiry no longer blocks", "expiring@example.com", "a.example", 2000, std::nullopt },
            { "global wins over scoped", "both@example.com", "a.example", 1500, Reason::complaint },
            { "unknown address", "nobody@example.com", "a.example", 1500, std::nullopt },
        };
        for (const Case& c : cases) {
            auto r = store->find_suppression(c.address, c.sender_domain, c.now);
            CPPUNIT_ASSERT_MESSAGE(c.label, r.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected.has_value(), r->has_value());
            if (c.expected)
                CPPUNIT_ASSERT_MESSAGE(c.label, (*r)->reason == *c.expected);
        }
    }

    void every_scope_of_an_address_global_first()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        put(*store, entry("r@example.com", "b.example", Reason::unsubscribe));
        put(*store, entry("r@example.com", "", Reason::complaint));
        put(*store, entry("r@example.com", "a.example", Reason::soft_bounce, 1000));
        put(*store, entry("other@example.com", "a.example", Reason::unsubscribe));
        auto r = store->suppressions_of("R@example.com", 1500);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), r->size()); // the expired a.example entry is not shown
        CPPUNIT_ASSERT_EQUAL(std::string(""), (*r)[0].scope);
        CPPUNIT_ASSERT_EQUAL(std::string("b.example"), (*r)[1].scope);
        auto none = store->suppressions_of("nobody@example.com", 1500);
        CPPUNIT_ASSERT(none.ok() && none->empty());
    }

    void lookup_ignores_case_of_address()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        put(*store, entry("John.Doe@example.com", "", Reason::hard_bounce));
        auto r = store->find_suppression("john.doe@example.com", "x.example", 1500);
        CPPUNIT_ASSERT(r.ok() && r->has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("John.Doe@example.com"), (*r)->address);
    }

    void dropped_transaction_rolls_back()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        {
            auto tx = store->begin();
            CPPUNIT_ASSERT(tx.ok());
            CPPUNIT_ASSERT((*tx)->put_suppression(entry("a@example.com", "", Reason::manual)).ok());
        }
        auto r = store->find_suppression("a@example.com", "", 1500);
        CPPUNIT_ASSERT(r.ok());
        CPPUNIT_ASSERT(!r->has_value());
        // The connection is usable again after the rollback.
        put(*store, entry("a@example.com", "", Reason::manual));
        r = store->find_suppression("a@example.com", "", 1500);
        CPPUNIT_ASSERT(r.ok() && r->has_value());
    }

    void message_key_is_processed_once()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        int runs = 0;
        auto work = [&](Transaction& tx) {
            ++runs;
            return tx.add_counter("example.com", "bounced", 0, 1);
        };
        auto first = store->write_once("queue-id-1", 100, work);
        auto second = store->write_once("queue-id-1", 200, work);
        CPPUNIT_ASSERT(first.ok() && *first);
        CPPUNIT_ASSERT(second.ok() && !*second);
        CPPUNIT_ASSERT_EQUAL(1, runs);
        auto sum = store->sum_counter("example.com", "bounced", 0);
        CPPUNIT_ASSERT(sum.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), *sum);
    }

    void failed_work_forgets_message_key()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        auto failing = store->write_once("queue-id-2", 100, [](Transaction& tx) -> Status {
            if (auto s = tx.add_counter("example.com", "bounced", 0, 1); !s)
                return s;
            return make_error(ErrorKind::temporary, "disk full, say");
        });
        CPPUNIT_ASSERT(!failing.ok());
        CPPUNIT_ASSERT(failing.error().temporary());
        auto retry = store->write_once("queue-id-2", 200, [](Transaction&) { return Status(); });
        CPPUNIT_ASSERT_MESSAGE("a retry after a failure processes the message again", retry.ok() && *retry);
        auto sum = store->sum_counter("example.com", "bounced", 0);
        CPPUNIT_ASSERT(sum.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), *sum);
    }

    void list_filters_and_pages()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        Status s = store->write([](Transaction& tx) -> Status {
            for (int i = 0; i < 10; ++i) {
                Suppression e = entry("user" + std::to_string(i) + "@example.com", i % 2 ? "a.example" : "",
                    i < 5 ? Reason::hard_bounce : Reason::complaint,
                    i == 9 ? std::optional<Time>(1200) : std::nullopt);
                e.last_seen = 1000 + i;
                if (auto p = tx.put_suppression(e); !p)
                    return p;
            }
            return tx.put_suppression(entry("other@elsewhere.example", "", Reason::manual));
        });
        CPPUNIT_ASSERT(s.ok());

        struct Case {
            const char* label;
            SuppressionFilter filter;
            std::vector<std::string> expected;
        };
        SuppressionFilter base;
        base.now = 1500;
        auto with = [&](auto change) {
            SuppressionFilter f = base;
            change(f);
            return f;
        };
        const Case cases[] = {
            { "reason", with([](SuppressionFilter& f) { f.reason = Reason::complaint; }),
                { "user5@example.com", "user6@example.com", "user7@example.com", "user8@example.com" } },
            { "scope", with([](SuppressionFilter& f) { f.scope = "a.example"; }),
                { "user1@example.com", "user3@example.com", "user5@example.com", "user7@example.com" } },
            { "since", with([](SuppressionFilter& f) { f.since = 1007; }),
                { "user7@example.com", "user8@example.com" } },
            { "pattern", with([](SuppressionFilter& f) { f.pattern = "*@elsewhere.*"; }),
                { "other@elsewhere.example" } },
            { "page", with([](SuppressionFilter& f) {
                 f.limit = 2;
                 f.offset = 1;
             }),
                { "user0@example.com", "user1@example.com" } },
            { "expired included", with([](SuppressionFilter& f) {
                 f.include_expired = true;
                 f.since = 1008;
             }),
                { "user8@example.com", "user9@example.com" } },
        };
        for (const Case& c : cases) {
            std::vector<std::string> got;
            Status w = store->each_suppression(c.filter, [&](const Suppression& e) {
                got.push_back(e.address);
                return Status();
            });
            CPPUNIT_ASSERT_MESSAGE(c.label, w.ok());
            CPPUNIT_ASSERT_MESSAGE(c.label, c.expected == got);
            auto n = store->count_suppressions(with([&](SuppressionFilter& f) {
                f = c.filter;
                f.limit = -1;
                f.offset = 0;
            }));
            CPPUNIT_ASSERT_MESSAGE(c.label, n.ok());
            if (c.filter.limit < 0)
                CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::int64_t(c.expected.size()), *n);
        }
    }

    void stats_count_active_and_expired()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        put(*store, entry("a@example.com", "", Reason::hard_bounce));
        put(*store, entry("b@example.com", "x.example", Reason::unsubscribe));
        put(*store, entry("c@example.com", "", Reason::soft_bounce, 1100));
        auto st = store->suppression_stats(1500);
        CPPUNIT_ASSERT(st.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), st->total);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), st->active);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), st->expired);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), st->scoped);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), st->by_reason.size());

        auto purged = std::int64_t(0);
        Status s = store->write([&](Transaction& tx) -> Status {
            auto n = tx.purge_expired(1500);
            if (!n)
                return std::move(n).error();
            purged = *n;
            return {};
        });
        CPPUNIT_ASSERT(s.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), purged);
    }

    void counters_sum_per_bucket()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        Status s = store->write([](Transaction& tx) -> Status {
            for (auto [bucket, delta] :
                { std::pair<Time, int> { 0, 5 }, { 3600, 2 }, { 3600, 3 }, { 7200, 1 } })
                if (auto a = tx.add_counter("example.com", "sent", bucket, delta); !a)
                    return a;
            return tx.add_counter("other.example", "sent", 3600, 100);
        });
        CPPUNIT_ASSERT(s.ok());
        auto sum = store->sum_counter("example.com", "sent", 3600);
        CPPUNIT_ASSERT(sum.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(6), *sum);
        auto rows = store->list_counters("example.com", 0);
        CPPUNIT_ASSERT(rows.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), rows->size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), (*rows)[1].value);
    }

    void senders_and_limiter_state_round_trip()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        Sender sender { "news@example.com", true, SenderState::warning, 1234, "complaint rate 0.2%", "" };
        Status s = store->write([&](Transaction& tx) -> Status {
            if (auto p = tx.put_sender(sender); !p)
                return p;
            return tx.save_limiter_states(
                { { "per_sender:news@example.com", 12.5, 1000 }, { "global", 3, 900 } });
        });
        CPPUNIT_ASSERT(s.ok());
        auto got = store->get_sender("NEWS@example.com");
        CPPUNIT_ASSERT(got.ok() && got->has_value());
        CPPUNIT_ASSERT((*got)->approved);
        CPPUNIT_ASSERT((*got)->state == SenderState::warning);
        CPPUNIT_ASSERT_EQUAL(std::string("complaint rate 0.2%"), (*got)->state_reason);
        auto none = store->get_sender("other@example.com");
        CPPUNIT_ASSERT(none.ok() && !none->has_value());

        auto states = store->load_limiter_states();
        CPPUNIT_ASSERT(states.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), states->size());
        CPPUNIT_ASSERT_EQUAL(12.5, (*states)[1].level);

        s = store->write([](Transaction& tx) -> Status {
            auto n = tx.forget_limiter_states(950);
            if (!n)
                return std::move(n).error();
            return *n == 1 ? Status() : make_error(ErrorKind::internal, "expected one row forgotten");
        });
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
    }

    void quarantine_keeps_message_whole()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        using namespace std::string_literals;
        const std::string content = "From: x\r\n\r\nbinary \0\xff body\0"s;
        std::int64_t id = 0;
        Status s = store->write([&](Transaction& tx) -> Status {
            auto r = tx.quarantine({ 0, 500, "4ABC", "no DSN part", content });
            if (!r)
                return std::move(r).error();
            id = *r;
            return {};
        });
        CPPUNIT_ASSERT(s.ok());
        auto got = store->get_quarantined(id);
        CPPUNIT_ASSERT(got.ok() && got->has_value());
        CPPUNIT_ASSERT(content == (*got)->content);
        auto list = store->list_quarantine(10, 0);
        CPPUNIT_ASSERT(list.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), list->size());
        CPPUNIT_ASSERT((*list)[0].content.empty());

        s = store->write([&](Transaction& tx) -> Status {
            auto r = tx.quarantine({ 0, 500, "4ABD", "huge", std::string(max_quarantine_bytes + 1, 'x') });
            return r ? Status() : Status(std::move(r).error());
        });
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT(s.error().kind == ErrorKind::invalid);
    }

    void events_are_listed_newest_first_with_their_counts()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        Status s = store->write([&](Transaction& tx) -> Status {
            for (int i = 0; i < 5; ++i) {
                Event e;
                e.at = 100 + i;
                e.kind = i % 2 ? EventKind::blocked_send : EventKind::hard_bounce;
                e.recipient = "r@example.com";
                e.sender = "s@example.com";
                e.count = i + 1;
                if (auto id = tx.add_event(e); !id)
                    return std::move(id).error();
            }
            return {};
        });
        CPPUNIT_ASSERT(s.ok());
        EventFilter f;
        f.kind = EventKind::blocked_send;
        auto events = store->list_events(f);
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), events->size());
        CPPUNIT_ASSERT_EQUAL(Time(103), (*events)[0].at);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(4), (*events)[0].count);
        f = {};
        f.since = 102;
        f.until = 104;
        events = store->list_events(f);
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), events->size());
    }

    void count_events_adds_up_counts()
    {
        TempDir dir;
        auto store = open_test_store(dir.file("s.db"));
        std::int64_t soft = -1;
        Status s = store->write([&](Transaction& tx) -> Status {
            for (int i = 0; i < 3; ++i) {
                Event e;
                e.at = 100 + i;
                e.kind = EventKind::soft_bounce;
                e.recipient = "r@example.com";
                e.count = i + 2; // 2, 3, 4
                if (auto id = tx.add_event(e); !id)
                    return std::move(id).error();
            }
            auto n = tx.count_events(EventKind::soft_bounce, "R@example.com", 101);
            if (!n)
                return std::move(n).error();
            soft = *n;
            return {};
        });
        CPPUNIT_ASSERT(s.ok());
        // Occurrences since 101, not rows: 3 + 4.
        CPPUNIT_ASSERT_EQUAL(std::int64_t(7), soft);
    }

    void locked_database_is_could_not_tell()
    {
        TempDir dir;
        auto holder = open_test_store(dir.file("s.db"));
        auto waiter = open_test_store(dir.file("s.db"), 50);
        auto tx = holder->begin();
        CPPUNIT_ASSERT(tx.ok());
        auto blocked = waiter->begin();
        CPPUNIT_ASSERT(!blocked.ok());
        CPPUNIT_ASSERT_MESSAGE(blocked.error().message, blocked.error().kind == ErrorKind::temporary);
        // Readers are not blocked by a writer in WAL mode.
        auto r = waiter->find_suppression("a@example.com", "", 1);
        CPPUNIT_ASSERT(r.ok() && !r->has_value());
    }

    void garbage_file_is_corrupt()
    {
        TempDir dir;
        {
            std::ofstream out(dir.file("bad.db"), std::ios::binary);
            out << std::string(8192, 'x');
        }
        OpenOptions o;
        o.path = dir.file("bad.db");
        auto s = open(o);
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT_MESSAGE(s.error().message, s.error().kind == ErrorKind::corrupt);
    }

    void newer_schema_is_refused()
    {
        TempDir dir;
        {
            auto db = Database::open(dir.file("new.db"), true, false);
            CPPUNIT_ASSERT(db.ok());
            CPPUNIT_ASSERT(db->exec("PRAGMA user_version = 999").ok());
        }
        OpenOptions o;
        o.path = dir.file("new.db");
        auto s = open(o);
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT_MESSAGE(s.error().message, s.error().kind == ErrorKind::invalid);
    }

    void two_processes_writing_lose_no_row()
    {
        TempDir dir;
        const std::string path = dir.file("s.db");
        constexpr int writers = 3;
        constexpr int rows_each = 150;
        std::vector<pid_t> children;
        for (int w = 0; w < writers; ++w) {
            pid_t pid = fork();
            CPPUNIT_ASSERT(pid >= 0);
            if (pid == 0) {
                // Child: one transaction per row, as the bounce program does;
                // every process opens (and may create) the file itself.
                int failures = 0;
                try {
                    auto store = open_test_store(path, 30000);
                    for (int i = 0; i < rows_each; ++i) {
                        Suppression e
                            = entry("w" + std::to_string(w) + "-" + std::to_string(i) + "@example.com", "",
                                Reason::hard_bounce);
                        Status s = store->write([&](Transaction& tx) -> Status {
                            if (auto p = tx.put_suppression(e); !p)
                                return p;
                            return tx.add_counter("example.com", "bounced", 0, 1);
                        });
                        if (!s) {
                            std::fprintf(stderr, "writer %d: %s\n", w, s.error().message.c_str());
                            ++failures;
                        }
                    }
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "writer %d: %s\n", w, e.what());
                    failures = 1;
                } catch (...) {
                    std::fprintf(stderr, "writer %d: an exception\n", w);
                    failures = 1;
                }
                _exit(failures == 0 ? 0 : 1);
            }
            children.push_back(pid);
        }
        for (pid_t pid : children) {
            int status = 0;
            CPPUNIT_ASSERT_EQUAL(pid, waitpid(pid, &status, 0));
            CPPUNIT_ASSERT_MESSAGE("a writer saw an error", WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        auto store = open_test_store(path);
        SuppressionFilter all;
        all.include_expired = true;
        auto n = store->count_suppressions(all);
        CPPUNIT_ASSERT(n.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(writers * rows_each), *n);
        auto sum = store->sum_counter("example.com", "bounced", 0);
        CPPUNIT_ASSERT(sum.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(writers * rows_each), *sum);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SqliteStoreTest);
