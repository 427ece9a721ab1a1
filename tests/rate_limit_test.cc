// Tests for policy/rate_limit: GCRA arithmetic with an injected clock —
// exactly at the limit, window edges, several windows, recovery time,
// request costs, overrides, persistence and expiry.
#include "policy/rate_limit.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::policy;

namespace {

constexpr TimeUs sec = us_per_second;
constexpr TimeUs t0 = 1767225600 * sec; // 2026-01-01T00:00:00Z: a realistic epoch

Limit msgs(std::int64_t n, std::int64_t w) { return Limit { LimitKind::messages, n, w }; }
Limit rcpts(std::int64_t n, std::int64_t w) { return Limit { LimitKind::recipients, n, w }; }

// Sends single messages at NOW until one is refused (at most 1000); returns how many passed.
int burst(RateLimiter& rl, const std::string& key, TimeUs now)
{
    int n = 0;
    while (n < 1000 && rl.check(key, Usage { 1, 0 }, now).allowed) {
        rl.commit(key, Usage { 1, 0 }, now);
        ++n;
    }
    return n;
}

} // namespace

class RateLimitTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RateLimitTest);
    CPPUNIT_TEST(limit_specs_are_parsed);
    CPPUNIT_TEST(exactly_n_pass_from_rest_then_the_next_is_refused);
    CPPUNIT_TEST(recovery_time_is_exact_to_the_microsecond);
    CPPUNIT_TEST(no_burst_at_a_window_edge);
    CPPUNIT_TEST(steady_sender_gets_exactly_n_per_window);
    CPPUNIT_TEST(several_windows_all_must_allow);
    CPPUNIT_TEST(recipient_cost_is_taken_whole_or_not_at_all);
    CPPUNIT_TEST(cost_above_the_limit_never_passes);
    CPPUNIT_TEST(refused_requests_consume_nothing);
    CPPUNIT_TEST(override_replaces_only_its_kind);
    CPPUNIT_TEST(keys_are_independent);
    CPPUNIT_TEST(state_survives_take_dirty_and_restore);
    CPPUNIT_TEST(expire_drops_only_clean_keys_at_rest);
    CPPUNIT_TEST(a_failed_write_put_back_never_overwrites_a_newer_change);
    CPPUNIT_TEST(reset_forgets_a_key);
    CPPUNIT_TEST_SUITE_END();

public:
    void limit_specs_are_parsed()
    {
        struct Good {
            const char* text;
            std::int64_t count;
            std::int64_t window;
            const char* formatted;
        };
        const Good good[] = {
            { "100/1h", 100, 3600, "100/1h" },
            { "5/30s", 5, 30, "5/30s" },
            { "10000/1d", 10000, 86400, "10000/1d" },
            { "1/90", 1, 90, "1/90s" },
            { "7/1w", 7, 7 * 86400, "7/7d" },
            { "1000000000/366d", 1000000000, 366 * 86400, "1000000000/366d" },
        };
        for (const Good& g : good) {
            auto l = parse_limit(LimitKind::messages, g.text);
            CPPUNIT_ASSERT_MESSAGE(std::string(g.text) + ": " + (l ? "" : l.error().message), l.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(g.text, g.count, l->count);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(g.text, g.window, l->window_seconds);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(g.text, std::string(g.formatted), format_limit(*l));
        }
        const char* bad[] = { "", "100", "100/", "/1h", "0/1h", "-1/1h", "1e3/1h", "abc/1h", "10/0s",
            "10/367d", "10/1y", "99999999999999999999/1h", "1000000001/1h", "10/1h/2", " 10/1h" };
        for (const char* b : bad)
            CPPUNIT_ASSERT_MESSAGE(
                std::string("\"") + b + "\" must be refused", !parse_limit(LimitKind::messages, b).ok());
    }

    void exactly_n_pass_from_rest_then_the_next_is_refused()
    {
        // Counts that do not divide the window exercise the rounding of T.
        struct Case {
            const char* label;
            Limit limit;
        };
        const Case cases[] = {
            { "3 per minute", msgs(3, 60) },
            { "7 per minute (T not whole)", msgs(7, 60) },
            { "1 per second", msgs(1, 1) },
            { "1000 per day", msgs(1000, 86400) },
            { "999 per 7 seconds", msgs(999, 7) },
        };
        for (const Case& c : cases) {
            RateLimiter rl;
            rl.set_defaults({ c.limit });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, static_cast<int>(c.limit.count), burst(rl, "k", t0));
            RateVerdict v = rl.check("k", Usage { 1, 0 }, t0);
            CPPUNIT_ASSERT_MESSAGE(c.label, !v.allowed && !v.never);
            CPPUNIT_ASSERT_MESSAGE(c.label, v.limit == c.limit);
        }
    }

    void recovery_time_is_exact_to_the_microsecond()
    {
        struct Case {
            const char* label;
            Limit limit;
            TimeUs expected_wait;
        };
        const Case cases[] = {
            { "3 per minute: one comes back after 20 s", msgs(3, 60), 20 * sec },
            { "7 per minute: T rounded up", msgs(7, 60), 8571429 },
            { "1 per hour", msgs(1, 3600), 3600 * sec },
        };
        for (const Case& c : cases) {
            RateLimiter rl;
            rl.set_defaults({ c.limit });
            burst(rl, "k", t0);
            RateVerdict v = rl.check("k", Usage { 1, 0 }, t0);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, t0 + c.expected_wait, v.retry_at);
            CPPUNIT_ASSERT_MESSAGE(c.label, !rl.check("k", Usage { 1, 0 }, v.retry_at - 1).allowed);
            CPPUNIT_ASSERT_MESSAGE(c.label, rl.check("k", Usage { 1, 0 }, v.retry_at).allowed);
            // And only one comes back at that moment.
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, 1, burst(rl, "k", v.retry_at));
        }
    }

    void no_burst_at_a_window_edge()
    {
        // A fixed window would allow 3 at 59.999 s and 3 more at 60.000 s.
        RateLimiter rl;
        rl.set_defaults({ msgs(3, 60) });
        TimeUs late = t0 + 59999 * 1000;
        CPPUNIT_ASSERT_EQUAL(3, burst(rl, "k", late));
        CPPUNIT_ASSERT_EQUAL(0, burst(rl, "k", t0 + 60 * sec));
        CPPUNIT_ASSERT_EQUAL(0, burst(rl, "k", late + 20 * sec - 1));
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "k", late + 20 * sec));
        // After a full window of silence the whole burst is back.
        CPPUNIT_ASSERT_EQUAL(3, burst(rl, "k", late + 80 * sec));
    }

    void steady_sender_gets_exactly_n_per_window()
    {
        // Trying every second for an hour against 60/1h after the initial
        // burst: one passes per minute, so over [0, 1h] N + floor(t/T) = 60 + 60.
        RateLimiter rl;
        rl.set_defaults({ msgs(60, 3600) });
        int passed = 0;
        for (TimeUs s = 0; s <= 3600; ++s)
            passed += burst(rl, "k", t0 + s * sec);
        CPPUNIT_ASSERT_EQUAL(120, passed);
    }

    void several_windows_all_must_allow()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(2, 1), msgs(5, 60), rcpts(100, 3600) });
        CPPUNIT_ASSERT_EQUAL(2, burst(rl, "k", t0));
        RateVerdict v = rl.check("k", Usage { 1, 0 }, t0);
        CPPUNIT_ASSERT(!v.allowed);
        CPPUNIT_ASSERT(v.limit == msgs(2, 1)); // the per-second window refused
        CPPUNIT_ASSERT_EQUAL(t0 + sec / 2, v.retry_at);
        CPPUNIT_ASSERT_EQUAL(2, burst(rl, "k", t0 + sec));
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "k", t0 + 2 * sec));
        // Now the minute window (5) is exhausted though the second window is not.
        v = rl.check("k", Usage { 1, 0 }, t0 + 3 * sec);
        CPPUNIT_ASSERT(!v.allowed);
        CPPUNIT_ASSERT(v.limit == msgs(5, 60));
        // Minute window: 5 taken at 0,0,1,1,2 s with T = 12 s: TAT = 60 s + ... the
        // recovery time is when TAT - burst + T <= now.
        CPPUNIT_ASSERT_EQUAL(t0 + 12 * sec, v.retry_at);
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 0 }, v.retry_at).allowed);
        // When both refuse, the later recovery time is reported.
        RateLimiter both;
        both.set_defaults({ msgs(1, 1), msgs(1, 60) });
        CPPUNIT_ASSERT_EQUAL(1, burst(both, "k", t0));
        v = both.check("k", Usage { 1, 0 }, t0);
        CPPUNIT_ASSERT(v.limit == msgs(1, 60));
        CPPUNIT_ASSERT_EQUAL(t0 + 60 * sec, v.retry_at);
    }

    void recipient_cost_is_taken_whole_or_not_at_all()
    {
        RateLimiter rl;
        rl.set_defaults({ rcpts(10, 60) }); // T = 6 s
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 4 }, t0).allowed);
        rl.commit("k", Usage { 1, 4 }, t0);
        rl.commit("k", Usage { 1, 4 }, t0);
        RateVerdict v = rl.check("k", Usage { 1, 4 }, t0);
        CPPUNIT_ASSERT(!v.allowed);
        // 8 of 10 used; 4 fit once 2 have come back: 2 * 6 s.
        CPPUNIT_ASSERT_EQUAL(t0 + 12 * sec, v.retry_at);
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 2 }, t0).allowed);
        CPPUNIT_ASSERT(!rl.check("k", Usage { 1, 3 }, t0).allowed);
        // A message-only usage is not limited by recipient windows.
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 0 }, t0).allowed);
    }

    void cost_above_the_limit_never_passes()
    {
        RateLimiter rl;
        rl.set_defaults({ rcpts(10, 60), msgs(1, 1) });
        RateVerdict v = rl.check("k", Usage { 1, 11 }, t0);
        CPPUNIT_ASSERT(!v.allowed);
        CPPUNIT_ASSERT(v.never);
        CPPUNIT_ASSERT(v.limit == rcpts(10, 60));
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 10 }, t0).allowed);
    }

    void refused_requests_consume_nothing()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(2, 60) });
        burst(rl, "k", t0);
        auto before = rl.state_of("k");
        for (int i = 0; i < 50; ++i)
            CPPUNIT_ASSERT(!rl.check("k", Usage { 1, 0 }, t0 + i * sec / 10).allowed);
        CPPUNIT_ASSERT(before == rl.state_of("k"));
        CPPUNIT_ASSERT(rl.check("k", Usage { 1, 0 }, t0 + 30 * sec).allowed);
    }

    void override_replaces_only_its_kind()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(2, 60), rcpts(5, 60) });
        rl.set_overrides({ { "sender:bulk@example.com", { msgs(10, 60) } } });
        auto limits = rl.limits_for("sender:bulk@example.com");
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, limits.size());
        CPPUNIT_ASSERT(limits[0] == msgs(10, 60));
        CPPUNIT_ASSERT(limits[1] == rcpts(5, 60));
        CPPUNIT_ASSERT_EQUAL(10, burst(rl, "sender:bulk@example.com", t0));
        CPPUNIT_ASSERT_EQUAL(2, burst(rl, "sender:other@example.com", t0));

        // New defaults (a reload) reach the kind the override leaves alone.
        rl.set_defaults({ msgs(2, 60), rcpts(7, 60) });
        const auto& reloaded = rl.limits_for("sender:bulk@example.com");
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, reloaded.size());
        CPPUNIT_ASSERT(reloaded[0] == msgs(10, 60));
        CPPUNIT_ASSERT(reloaded[1] == rcpts(7, 60));
    }

    void keys_are_independent()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(1, 60) });
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "a", t0));
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "b", t0));
        CPPUNIT_ASSERT_EQUAL(0, burst(rl, "a", t0));
    }

    void state_survives_take_dirty_and_restore()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(3, 60), rcpts(10, 3600) });
        rl.commit("k", Usage { 1, 4 }, t0);
        rl.commit("k", Usage { 1, 4 }, t0);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, rl.dirty_count());
        auto dirty = rl.take_dirty();
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, rl.dirty_count());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, dirty.size());

        RateLimiter fresh;
        fresh.set_defaults(rl.defaults());
        fresh.restore(dirty.begin()->first, dirty.begin()->second);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, fresh.dirty_count());
        for (TimeUs at : { t0, t0 + 10 * sec, t0 + 20 * sec }) {
            RateVerdict a = rl.check("k", Usage { 1, 3 }, at);
            RateVerdict b = fresh.check("k", Usage { 1, 3 }, at);
            CPPUNIT_ASSERT_EQUAL(a.allowed, b.allowed);
            CPPUNIT_ASSERT_EQUAL(a.retry_at, b.retry_at);
        }
        CPPUNIT_ASSERT_EQUAL(1, burst(fresh, "k", t0));
    }

    void expire_drops_only_clean_keys_at_rest()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(1, 60) });
        rl.commit("old", Usage { 1, 0 }, t0);
        rl.commit("new", Usage { 1, 0 }, t0 + 30 * sec);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, rl.expire(t0 + 61 * sec)); // both still dirty
        (void)rl.take_dirty();
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, rl.expire(t0 + 60 * sec - 1));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, rl.expire(t0 + 60 * sec)); // "old" at rest exactly at TAT
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, rl.size());
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "old", t0 + 60 * sec));
    }

    void a_failed_write_put_back_never_overwrites_a_newer_change()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(3, 60) });
        rl.commit("old", Usage { 1, 0 }, t0);
        rl.commit("new", Usage { 1, 0 }, t0);
        DirtyWindows failed = rl.take_dirty();
        rl.commit("new", Usage { 1, 0 }, t0);
        for (auto& [key, windows] : failed)
            rl.mark_dirty(key, windows);
        DirtyWindows again = rl.take_dirty();
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, again.size());
        CPPUNIT_ASSERT(again["old"] == failed["old"]);
        CPPUNIT_ASSERT(again["new"] == rl.state_of("new"));
        CPPUNIT_ASSERT(again["new"] != failed["new"]);
    }

    void reset_forgets_a_key()
    {
        RateLimiter rl;
        rl.set_defaults({ msgs(1, 3600) });
        burst(rl, "k", t0);
        (void)rl.take_dirty();
        rl.reset("k");
        CPPUNIT_ASSERT_EQUAL(1, burst(rl, "k", t0));
        // The configuration changed meanwhile: the old window and the new one
        // are both written at rest, so that a restart brings neither back.
        rl.set_defaults({ msgs(5, 86400) });
        rl.reset("k");
        DirtyWindows dirty = rl.take_dirty();
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, dirty.size());
        const std::vector<WindowState> at_rest { WindowState { LimitKind::messages, 3600, 0 },
            WindowState { LimitKind::messages, 86400, 0 } };
        CPPUNIT_ASSERT(dirty["k"] == at_rest);
        CPPUNIT_ASSERT_EQUAL(5, burst(rl, "k", t0));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RateLimitTest);
