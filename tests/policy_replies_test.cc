// Tests for policy/policy_replies: times and waits as the replies print them.
#include "policy/policy_replies.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::policy;

class PolicyRepliesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PolicyRepliesTest);
    CPPUNIT_TEST(waits_round_up_and_read_well);
    CPPUNIT_TEST(times_are_utc);
    CPPUNIT_TEST(over_limit_reply_names_limit_key_and_time);
    CPPUNIT_TEST_SUITE_END();

public:
    void waits_round_up_and_read_well()
    {
        struct Case {
            TimeUs wait;
            const char* expected;
        };
        const Case cases[] = {
            { -5, "0s" },
            { 0, "0s" },
            { 1, "1s" },
            { us_per_second, "1s" },
            { us_per_second + 1, "2s" },
            { 59 * us_per_second, "59s" },
            { 60 * us_per_second, "1m" },
            { 192 * us_per_second, "3m12s" },
            { 3600 * us_per_second, "1h" },
            { 3601 * us_per_second, "1h1m" },
            { 7199 * us_per_second, "2h" },
            { 86400 * us_per_second, "1d" },
            { (86400 + 3 * 3600) * us_per_second, "1d3h" },
            { (2 * 86400 - 1) * us_per_second, "2d" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                std::to_string(c.wait), std::string(c.expected), format_wait(c.wait));
    }

    void times_are_utc()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("1970-01-01 00:00:00 UTC"), format_utc(0));
        CPPUNIT_ASSERT_EQUAL(std::string("2026-01-01 00:00:00 UTC"), format_utc(1767225600));
    }

    void over_limit_reply_names_limit_key_and_time()
    {
        PolicySettings s;
        s.over_limit = *ReplyTemplate::parse("DEFER_IF_PERMIT 4.7.1 Rate limit {limit} reached for {key}; "
                                             "sending may resume at {retry_at} (in {retry_in})",
            { "limit", "key", "retry_at", "retry_in" });
        RateVerdict v;
        v.allowed = false;
        v.limit = Limit { LimitKind::recipients, 500, 3600 };
        TimeUs now = 1767225600 * us_per_second;
        v.retry_at = now + 7 * us_per_second + 1; // rounds up to the next whole second
        CPPUNIT_ASSERT_EQUAL(
            std::string("DEFER_IF_PERMIT 4.7.1 Rate limit 500 recipients per 1h reached for sasl:bob; "
                        "sending may resume at 2026-01-01 00:00:08 UTC (in 8s)"),
            over_limit_reply(s, "sasl:bob", v, now));
        v.never = true;
        CPPUNIT_ASSERT(over_limit_reply(s, "sasl:bob", v, now).find("never") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PolicyRepliesTest);
