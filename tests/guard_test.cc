// Tests for reputation/guard against a real SQLite store with an injected
// clock: transitions, events, window expiry, resume.
#include "reputation/counters.hh"
#include "reputation/guard.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::reputation;

class GuardTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GuardTest);
    CPPUNIT_TEST(quiet_sender_stays_ok_and_writes_nothing);
    CPPUNIT_TEST(suspension_is_recorded_with_an_event);
    CPPUNIT_TEST(counts_leave_the_window_when_it_expires);
    CPPUNIT_TEST(resume_forgets_the_counts_that_suspended);
    CPPUNIT_TEST(resume_of_unknown_sender_is_not_found);
    CPPUNIT_TEST(operator_suspends_and_approves_unknown_senders);
    CPPUNIT_TEST_SUITE_END();

    static constexpr store::Time t0 = 1'800'000'000; // a fixed "now"

public:
    void setUp() override
    {
        dir_ = std::make_unique<TempDir>();
        store_ = open_test_store(dir_->file("store.db"));
    }
    void tearDown() override
    {
        store_.reset();
        dir_.reset();
    }

    void quiet_sender_stays_ok_and_writes_nothing()
    {
        count("example.com", sent, 1000, t0 - 3600);
        count("example.com", hard_bounce, 10, t0 - 3600);
        auto ev = evaluate(*store_, "example.com", t0, Thresholds {});
        CPPUNIT_ASSERT_MESSAGE(ev ? "" : ev.error().message, ev.ok());
        CPPUNIT_ASSERT(!ev->changed());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1000 }, ev->windows[0].counts.sent);
        CPPUNIT_ASSERT(!store_->get_sender("example.com")->has_value());
    }

    void suspension_is_recorded_with_an_event()
    {
        count("example.com", sent, 1000, t0 - 7200);
        count("example.com", hard_bounce, 80, t0 - 3600);
        auto ev = evaluate(*store_, "example.com", t0, Thresholds {});
        CPPUNIT_ASSERT(ev.ok());
        CPPUNIT_ASSERT(ev->changed());
        CPPUNIT_ASSERT(ev->current == State::suspended);
        auto row = store_->get_sender("example.com");
        CPPUNIT_ASSERT(row.ok() && row->has_value());
        CPPUNIT_ASSERT((*row)->state == State::suspended);
        CPPUNIT_ASSERT_EQUAL(t0, (*row)->state_since);
        store::EventFilter f;
        f.kind = store::EventKind::state_change;
        auto events = store_->list_events(f);
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, events->size());
        CPPUNIT_ASSERT_EQUAL(std::string("ok->suspended: hard-bounce rate 8% over 24h (80 of 1000) reached "
                                         "the suspension threshold 8%"),
            (*events)[0].detail);
        // Judged again with no new counts: still suspended, nothing new written.
        auto again = evaluate(*store_, "example.com", t0 + 60, Thresholds {});
        CPPUNIT_ASSERT(again.ok() && !again->changed());
    }

    void counts_leave_the_window_when_it_expires()
    {
        count("example.com", sent, 1000, t0 - 3600);
        count("example.com", hard_bounce, 30, t0 - 3600);
        auto warned = evaluate(*store_, "example.com", t0, Thresholds {});
        CPPUNIT_ASSERT(warned.ok() && warned->current == State::warning);
        // Eight days later both windows are empty: back to ok.
        auto later = evaluate(*store_, "example.com", t0 + 8 * 86400, Thresholds {});
        CPPUNIT_ASSERT(later.ok());
        CPPUNIT_ASSERT(later->current == State::ok);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 0 }, later->windows[1].counts.sent);
    }

    void resume_forgets_the_counts_that_suspended()
    {
        count("example.com", sent, 1000, bucket_of(t0) - 3600);
        count("example.com", complaint, 5, bucket_of(t0) - 3600);
        CPPUNIT_ASSERT(evaluate(*store_, "example.com", t0, Thresholds {})->current == State::suspended);
        CPPUNIT_ASSERT(resume(*store_, "example.com", t0 + 10, "alice", "list cleaned").ok());
        auto row = store_->get_sender("example.com");
        CPPUNIT_ASSERT((*row)->state == State::ok);
        CPPUNIT_ASSERT_EQUAL(std::string("resumed by alice: list cleaned"), (*row)->state_reason);
        auto after = evaluate(*store_, "example.com", t0 + 20, Thresholds {});
        CPPUNIT_ASSERT(after.ok());
        CPPUNIT_ASSERT(after->current == State::ok);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 0 }, after->windows[0].counts.complaints);
    }

    void resume_of_unknown_sender_is_not_found()
    {
        auto s = resume(*store_, "nobody.example", t0, "alice", "");
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT(s.error().kind == ErrorKind::not_found);
    }

    void operator_suspends_and_approves_unknown_senders()
    {
        CPPUNIT_ASSERT(suspend(*store_, "new.example", t0, "alice", "phished account").ok());
        auto row = store_->get_sender("new.example");
        CPPUNIT_ASSERT(row.ok() && row->has_value());
        CPPUNIT_ASSERT((*row)->state == State::suspended);
        CPPUNIT_ASSERT_EQUAL(std::string("suspended by alice: phished account"), (*row)->state_reason);
        store::EventFilter f;
        f.kind = store::EventKind::state_change;
        auto events = store_->list_events(f);
        CPPUNIT_ASSERT(events.ok() && events->size() == 1);
        CPPUNIT_ASSERT_EQUAL(std::string("cli"), (*events)[0].source);

        CPPUNIT_ASSERT(set_approved(*store_, "new.example", true).ok());
        row = store_->get_sender("new.example");
        CPPUNIT_ASSERT((*row)->approved);
        CPPUNIT_ASSERT_MESSAGE("approval keeps the state", (*row)->state == State::suspended);
        CPPUNIT_ASSERT(set_approved(*store_, "new.example", false).ok());
        CPPUNIT_ASSERT(!(*store_->get_sender("new.example"))->approved);
    }

private:
    void count(std::string_view subject, std::string_view name, std::int64_t n, store::Time at)
    {
        auto s = store_->write(
            [&](store::Transaction& tx) { return tx.add_counter(subject, name, bucket_of(at), n); });
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
    }

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<store::Store> store_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(GuardTest);
