// Tests for reputation/assessment: states exactly at the thresholds, minimum
// volume, several windows, sticky suspension.
#include "reputation/assessment.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::reputation;
using sendsentry::store::to_string;
using std::chrono::hours;

class AssessmentTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AssessmentTest);
    CPPUNIT_TEST(states_change_exactly_at_the_thresholds);
    CPPUNIT_TEST(worst_window_decides);
    CPPUNIT_TEST(suspension_is_sticky_and_warning_is_not);
    CPPUNIT_TEST(reason_names_rate_window_and_threshold);
    CPPUNIT_TEST(thresholds_come_from_config);
    CPPUNIT_TEST(zero_threshold_disables_the_check);
    CPPUNIT_TEST_SUITE_END();

public:
    void states_change_exactly_at_the_thresholds()
    {
        struct Case {
            const char* label;
            Counts counts;
            State expected;
        };
        // sent, hard, soft, complaints
        const Case cases[] = {
            { "clean", { 1000, 0, 5, 0 }, State::ok },
            { "hard just under 2%", { 1000, 19, 0, 0 }, State::ok },
            { "hard exactly 2%", { 1000, 20, 0, 0 }, State::warning },
            { "hard just under 8%", { 1000, 79, 0, 0 }, State::warning },
            { "hard exactly 8%", { 1000, 80, 0, 0 }, State::suspended },
            { "complaints just under 0.1%", { 10000, 0, 0, 9 }, State::ok },
            { "complaints exactly 0.1%", { 1000, 0, 0, 1 }, State::warning },
            { "complaints just under 0.3%", { 10000, 0, 0, 29 }, State::warning },
            { "complaints exactly 0.3%", { 1000, 0, 0, 3 }, State::suspended },
            { "volume one under minimum", { 499, 499, 0, 499 }, State::ok },
            { "volume exactly minimum", { 500, 40, 0, 0 }, State::suspended },
            { "soft bounces do not count", { 1000, 0, 900, 0 }, State::ok },
            { "nothing sent", { 0, 0, 0, 0 }, State::ok },
        };
        Thresholds t;
        for (const Case& c : cases) {
            WindowCounts w[] = { { hours(24), c.counts } };
            Assessment a = assess(w, t);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(to_string(c.expected)), std::string(to_string(a.state)));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected == State::ok, a.reason.empty());
        }
    }

    void worst_window_decides()
    {
        Thresholds t;
        // The day is quiet (under the minimum volume), the week is bad.
        WindowCounts w[] = { { hours(24), { 100, 50, 0, 0 } }, { hours(168), { 2000, 170, 0, 0 } } };
        CPPUNIT_ASSERT(assess(w, t).state == State::suspended);
        WindowCounts mixed[] = { { hours(24), { 1000, 30, 0, 0 } }, { hours(168), { 5000, 30, 0, 0 } } };
        CPPUNIT_ASSERT(assess(mixed, t).state == State::warning);
    }

    void suspension_is_sticky_and_warning_is_not()
    {
        Assessment ok;
        Assessment warn { State::warning, "x" };
        Assessment susp { State::suspended, "y" };
        CPPUNIT_ASSERT(next_state(State::ok, warn) == State::warning);
        CPPUNIT_ASSERT(next_state(State::warning, ok) == State::ok);
        CPPUNIT_ASSERT(next_state(State::warning, susp) == State::suspended);
        CPPUNIT_ASSERT(next_state(State::suspended, ok) == State::suspended);
    }

    void reason_names_rate_window_and_threshold()
    {
        Thresholds t;
        WindowCounts w[] = { { hours(24), { 1000, 91, 0, 0 } } };
        CPPUNIT_ASSERT_EQUAL(
            std::string("hard-bounce rate 9.10% over 24h (91 of 1000) reached the suspension threshold 8%"),
            assess(w, t).reason);
        WindowCounts c[] = { { hours(168), { 2000, 0, 0, 2 } } };
        CPPUNIT_ASSERT_EQUAL(
            std::string("complaint rate 0.10% over 7d (2 of 2000) reached the warning threshold 0.10%"),
            assess(c, t).reason);
    }

    void thresholds_come_from_config()
    {
        auto cfg = sendsentry::config::parse("[reputation]\nmin_volume = 10\nwindows = 1h, 2d\n"
                                             "suspend_complaint_rate = 0.5%\n",
            "t.conf");
        CPPUNIT_ASSERT(cfg.ok());
        Thresholds t = Thresholds::from_config(*cfg);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 10 }, t.min_volume);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 5000 }, t.suspend_complaint_ppm);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 20000 }, t.warn_hard_bounce_ppm);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, t.windows.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 172800 }, static_cast<std::int64_t>(t.windows[1].count()));
    }

    void zero_threshold_disables_the_check()
    {
        Thresholds t;
        t.warn_complaint_ppm = 0;
        t.suspend_complaint_ppm = 0;
        WindowCounts w[] = { { hours(24), { 1000, 0, 0, 900 } } };
        CPPUNIT_ASSERT(assess(w, t).state == State::ok);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AssessmentTest);
