// Tests for metrics/store_metrics against a real store: per-sender volumes,
// ratios and the state as a one-hot gauge, thresholds, suppressions by reason
// and policyd refusals by reason in the window.
#include "metrics/store_metrics.hh"
#include "reputation/counters.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <string_view>

using namespace sendsentry;

class StoreMetricsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(StoreMetricsTest);
    CPPUNIT_TEST(store_contents_become_samples);
    CPPUNIT_TEST(empty_store_still_has_every_family);
    CPPUNIT_TEST_SUITE_END();

    static constexpr store::Time t0 = 1'800'000'000;

public:
    void store_contents_become_samples()
    {
        TempDir dir;
        auto s = open_test_store(dir.file("store.db"));
        Status w = s->write([&](store::Transaction& tx) -> Status {
            store::Time b = reputation::bucket_of(t0 - 3600);
            for (auto [name, value] : { std::pair { reputation::sent, 1000 }, { reputation::hard_bounce, 25 },
                     { reputation::complaint, 2 }, { reputation::blocked, 3 } })
                if (auto r = tx.add_counter("shop.example", name, b, value); !r)
                    return r;
            store::Sender snd;
            snd.key = "shop.example";
            snd.state = store::SenderState::warning;
            snd.state_since = t0 - 60;
            if (auto r = tx.put_sender(snd); !r)
                return r;
            store::Suppression e;
            e.address = "a@gmail.example";
            e.reason = store::Reason::hard_bounce;
            e.first_seen = e.last_seen = t0 - 100;
            if (auto r = tx.put_suppression(e); !r)
                return r;
            for (const char* why :
                { "suppressed: 550 5.1.1 x", "suppressed: 550 5.7.1 y", "rate_limit: DEFER_IF_PERMIT" }) {
                store::Event ev;
                ev.at = t0 - 10;
                ev.kind = store::EventKind::blocked_send;
                ev.sender = "news@shop.example";
                ev.detail = why;
                ev.count = std::string_view(why).starts_with("rate_limit") ? 40 : 1; // 40 refusals, one event
                if (auto id = tx.add_event(ev); !id)
                    return std::move(id).error();
            }
            return {};
        });
        CPPUNIT_ASSERT_MESSAGE(w ? "" : w.error().message, w.ok());
        auto e = metrics::collect(*s, t0, reputation::Thresholds {});
        CPPUNIT_ASSERT_MESSAGE(e ? "" : e.error().message, e.ok());
        std::string text = e->render();
        for (const char* line : {
                 "sendsentry_sender_sent{sender=\"shop.example\",window=\"24h\"} 1000\n",
                 "sendsentry_sender_sent{sender=\"shop.example\",window=\"7d\"} 1000\n",
                 "sendsentry_sender_hard_bounces{sender=\"shop.example\",window=\"24h\"} 25\n",
                 "sendsentry_sender_blocked{sender=\"shop.example\",window=\"24h\"} 3\n",
                 "sendsentry_sender_hard_bounce_ratio{sender=\"shop.example\",window=\"24h\"} "
                 "0.025000000000000001\n",
                 "sendsentry_sender_complaint_ratio{sender=\"shop.example\",window=\"24h\"} 0.002\n",
                 "sendsentry_sender_state{sender=\"shop.example\",state=\"ok\"} 0\n",
                 "sendsentry_sender_state{sender=\"shop.example\",state=\"warning\"} 1\n",
                 "sendsentry_threshold_ratio{level=\"suspension\",metric=\"hard_bounce\"} "
                 "0.080000000000000002\n",
                 "sendsentry_suppressions{reason=\"hard_bounce\"} 1\n",
                 "sendsentry_suppressions{reason=\"complaint\"} 0\n",
                 "sendsentry_policy_blocked{reason=\"suppressed\",window=\"24h\"} 2\n",
                 "sendsentry_policy_blocked{reason=\"rate_limit\",window=\"24h\"} 40\n",
             })
            CPPUNIT_ASSERT_MESSAGE(
                std::string(line) + " missing in\n" + text, text.find(line) != std::string::npos);
    }

    void empty_store_still_has_every_family()
    {
        TempDir dir;
        auto s = open_test_store(dir.file("store.db"));
        auto e = metrics::collect(*s, t0, reputation::Thresholds {});
        CPPUNIT_ASSERT(e.ok());
        std::string text = e->render();
        for (const char* family :
            { "# TYPE sendsentry_sender_sent gauge", "# TYPE sendsentry_suppressions gauge",
                "# TYPE sendsentry_policy_blocked gauge", "sendsentry_suppressions_expired 0\n" })
            CPPUNIT_ASSERT_MESSAGE(family, text.find(family) != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(StoreMetricsTest);
