// Tests for reputation/counters: the subjects every counter writer uses, and
// the end-to-end promise behind them: what the policy daemon counts as sent
// and what the bounce program charges for a returned message land on the
// same subject, so the guard judges a real rate (issue 8).
#include "core/config.hh"
#include "mail/bounce_parser.hh"
#include "policy/policy_engine.hh"
#include "reputation/counters.hh"
#include "reputation/guard.hh"
#include "store/bounce_recorder.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::reputation;

namespace {

constexpr store::Time t0 = 1'800'000'000;

policy::PolicyRequest end_of_message(
    std::string_view instance, std::string_view sender, std::string_view sasl)
{
    policy::PolicyRequest r;
    r.set("request", "smtpd_access_policy");
    r.set("protocol_state", "END-OF-MESSAGE");
    r.set("client_address", "192.0.2.10");
    r.set("sender", sender);
    r.set("recipient_count", "1");
    r.set("instance", instance);
    r.set("sasl_username", sasl);
    return r;
}

// A DSN as a receiving MTA returns it: the envelope recipient is a plain
// bounce address, so the sender domain comes from the returned header.
const char* dsn = "From: MAILER-DAEMON@mx.receiver.example\r\n"
                  "To: bounces@relay.example.net\r\n"
                  "Subject: Undelivered Mail Returned to Sender\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n"
                  "\r\n"
                  "--B\r\n"
                  "Content-Type: text/plain\r\n"
                  "\r\n"
                  "Delivery failed.\r\n"
                  "--B\r\n"
                  "Content-Type: message/delivery-status\r\n"
                  "\r\n"
                  "Reporting-MTA: dns; mx.receiver.example\r\n"
                  "\r\n"
                  "Final-Recipient: rfc822; gone@receiver.example\r\n"
                  "Action: failed\r\n"
                  "Status: 5.1.1\r\n"
                  "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
                  "--B\r\n"
                  "Content-Type: text/rfc822-headers\r\n"
                  "\r\n"
                  "From: News <News@Shop.EXAMPLE>\r\n"
                  "To: gone@receiver.example\r\n"
                  "Subject: offers\r\n"
                  "--B--\r\n";

} // namespace

class CountersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CountersTest);
    CPPUNIT_TEST(domain_subjects_are_normalised);
    CPPUNIT_TEST(a_message_counts_for_its_domain_and_its_sasl_login);
    CPPUNIT_TEST(policyd_sends_and_bounce_charges_share_a_subject);
    CPPUNIT_TEST(policyd_refuses_a_suspended_sasl_subject);
    CPPUNIT_TEST_SUITE_END();

public:
    void domain_subjects_are_normalised()
    {
        struct Case {
            const char* label;
            const char* input;
            const char* expected;
        };
        const Case cases[] = {
            { "lower-cased", "Shop.EXAMPLE", "shop.example" },
            { "trailing dot dropped", "shop.example.", "shop.example" },
            { "IDN to A-label",
                "b\xc3\xbc"
                "cher.example",
                "xn--bcher-kva.example" },
            { "empty stays empty", "", "" },
            { "invalid name kept lower-cased", "Bad_Name!.Example", "bad_name!.example" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.expected), domain_subject(c.input));
        CPPUNIT_ASSERT_EQUAL(std::string("sasl:alice"), sasl_subject("Alice"));
        CPPUNIT_ASSERT_EQUAL(std::string(), sasl_subject(""));
    }

    void a_message_counts_for_its_domain_and_its_sasl_login()
    {
        CPPUNIT_ASSERT((std::vector<std::string> { "shop.example", "sasl:alice" })
            == counter_subjects("Shop.Example", "ALICE"));
        CPPUNIT_ASSERT((std::vector<std::string> { "shop.example" }) == counter_subjects("shop.example"));
        CPPUNIT_ASSERT(counter_subjects("", "").empty());
    }

    void policyd_sends_and_bounce_charges_share_a_subject()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("store.db"));
        store::Store& s = *st;

        // Policyd: ten authenticated messages from one sender, spelled as clients do.
        auto cfg = config::parse("", "test.conf");
        CPPUNIT_ASSERT(cfg.ok());
        auto settings = policy::settings_from(*cfg);
        CPPUNIT_ASSERT(settings.ok());
        policy::PolicyEngine engine(s, *settings);
        for (int i = 0; i < 10; ++i) {
            policy::Session session;
            const char* sender = i % 2 ? "<news@shop.example>" : "<NEWS@SHOP.EXAMPLE>";
            engine.handle(end_of_message("i" + std::to_string(i), sender, "Alice"), session,
                t0 * policy::us_per_second);
        }
        CPPUNIT_ASSERT(engine.flush(t0 * policy::us_per_second).ok());

        // The bounce program: one DSN for that mail, through the real parser.
        mail::BounceReport report = mail::parse_bounce(dsn, { "", "bounces@relay.example.net" });
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, report.failures.size());
        store::BounceContext c;
        c.now = t0 + 60;
        c.message_key = "bounce:test";
        Status written = s.write([&](store::Transaction& tx) -> Status {
            auto r = store::record_bounce(tx, report, c);
            return r ? Status {} : Status(std::move(r).error());
        });
        CPPUNIT_ASSERT_MESSAGE(written ? "" : written.error().message, written.ok());

        // The guard sees the rate on the domain: 1 hard bounce of 10 sent.
        Thresholds t;
        t.min_volume = 1;
        auto ev = evaluate(s, "shop.example", t0 + 120, t);
        CPPUNIT_ASSERT_MESSAGE(ev ? "" : ev.error().message, ev.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 10 }, ev->windows[0].counts.sent);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1 }, ev->windows[0].counts.hard_bounces);
        CPPUNIT_ASSERT(ev->current == State::suspended); // 10% >= 8%

        // The login has its volume; no per-address subject splits the sender.
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 10 }, *s.sum_counter("sasl:alice", sent, 0));
        auto all = s.list_counters("", 0);
        CPPUNIT_ASSERT(all.ok());
        for (const store::Counter& k : *all)
            CPPUNIT_ASSERT_MESSAGE(k.subject, k.subject == "shop.example" || k.subject == "sasl:alice");
    }

    void policyd_refuses_a_suspended_sasl_subject()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("store.db"));
        store::Store& s = *st;
        store::Sender login;
        login.key = sasl_subject("Alice"); // as the guard names it
        login.state = State::suspended;
        login.state_since = t0 - 60;
        login.state_reason = "complaint rate 0.50% over 24h";
        CPPUNIT_ASSERT(s.write([&](store::Transaction& tx) { return tx.put_sender(login); }).ok());

        auto cfg = config::parse("", "test.conf");
        auto settings = policy::settings_from(*cfg);
        CPPUNIT_ASSERT(settings.ok());
        policy::PolicyEngine engine(s, *settings);
        auto rcpt = [&](std::string_view sasl) {
            policy::PolicyRequest r = end_of_message("i1", "<news@shop.example>", sasl);
            r.set("protocol_state", "RCPT");
            r.set("recipient", "reader@receiver.example");
            policy::Session session;
            return engine.handle(r, session, t0 * policy::us_per_second).action;
        };
        std::string refused = rcpt("ALICE");
        CPPUNIT_ASSERT_MESSAGE(refused, refused.starts_with("450 4.7.1 Sending for sasl:alice is suspended"));
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"), rcpt("bob"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CountersTest);
