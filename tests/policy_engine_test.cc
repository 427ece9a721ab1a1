// Tests for policy/policy_engine against a real SQLite store in a temporary
// directory: counting once per message, quota untouched by refused
// recipients and aborted messages, suppression replies, approved and
// suspended senders, "could not tell", write-behind and restart.
#include "core/config.hh"
#include "policy/policy_engine.hh"
#include "policy/rate_limit.hh"
#include "store/store.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <map>
#include <sqlite3.h>

using namespace sendsentry;
using namespace sendsentry::policy;

namespace {

constexpr TimeUs sec = us_per_second;
constexpr TimeUs t0 = 1767225600 * sec; // 2026-01-01 00:00:00 UTC

PolicySettings settings_with(const std::string& policyd_section)
{
    auto cfg = config::parse("[policyd]\n" + policyd_section, "test.conf");
    if (!cfg)
        throw std::runtime_error(cfg.error().message);
    auto s = settings_from(*cfg);
    if (!s)
        throw std::runtime_error(s.error().message);
    return *s;
}

PolicyRequest req(std::string_view state, std::string_view instance, std::string_view sender,
    std::string_view recipient = "", std::string_view recipient_count = "0")
{
    PolicyRequest r;
    r.set("request", "smtpd_access_policy");
    r.set("protocol_state", state);
    r.set("protocol_name", "ESMTP");
    r.set("client_address", "192.0.2.10");
    r.set("sender", sender);
    r.set("recipient", recipient);
    r.set("recipient_count", recipient_count);
    r.set("instance", instance);
    r.set("queue_id", "");
    r.set("sasl_username", "");
    return r;
}

class TempStore {
public:
    TempStore()
        : path_(dir_.file("store.db"))
    {
        store = open();
    }

    // A short busy timeout: the "could not tell" cases lock the store.
    std::unique_ptr<store::Store> open() { return open_test_store(path_, 50); }

    const std::string& path() const { return path_; }
    std::unique_ptr<store::Store> store;

private:
    TempDir dir_;
    std::string path_;
};

void put_suppression(store::Store& s, std::string address, std::string scope, store::Reason reason,
    std::optional<store::Time> expires = std::nullopt)
{
    store::Suppression e;
    e.address = std::move(address);
    e.scope = std::move(scope);
    e.reason = reason;
    e.source = "test";
    e.first_seen = e.last_seen = t0 / sec - 86400;
    e.expires = expires;
    Status st = s.write([&](store::Transaction& tx) { return tx.put_suppression(e); });
    if (!st)
        throw std::runtime_error(st.error().message);
}

void put_sender(store::Store& s, std::string key, bool approved, store::SenderState state)
{
    store::Sender snd;
    snd.key = std::move(key);
    snd.approved = approved;
    snd.state = state;
    snd.state_since = t0 / sec - 3600;
    snd.state_reason = state == store::SenderState::suspended ? "complaint rate 0.5% over 24h" : "";
    Status st = s.write([&](store::Transaction& tx) { return tx.put_sender(snd); });
    if (!st)
        throw std::runtime_error(st.error().message);
}

// One message: RCPT for each recipient, then END-OF-MESSAGE with Postfix's
// recipient_count (the recipients answered DUNNO); returns the RCPT actions
// and the end-of-message action last.
std::vector<std::string> send(PolicyEngine& engine, Session& session, const std::string& instance,
    const std::string& sender, const std::vector<std::string>& recipients, TimeUs now)
{
    std::vector<std::string> actions;
    int accepted = 0;
    for (const std::string& r : recipients) {
        Answer a = engine.handle(req("RCPT", instance, sender, r), session, now);
        actions.push_back(a.close ? "CLOSE" : a.action);
        accepted += a.action == "DUNNO";
    }
    if (accepted == 0)
        return actions; // Postfix refuses DATA without a valid recipient
    Answer a
        = engine.handle(req("END-OF-MESSAGE", instance, sender, "", std::to_string(accepted)), session, now);
    actions.push_back(a.close ? "CLOSE" : a.action);
    return actions;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.starts_with(prefix); }

// The blocked_send events in the store, newest first.
std::vector<store::Event> blocked_events(store::Store& s)
{
    store::EventFilter f;
    f.kind = store::EventKind::blocked_send;
    auto events = s.list_events(f);
    if (!events)
        throw std::runtime_error(events.error().message);
    return std::move(events).value();
}

} // namespace

class PolicyEngineTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PolicyEngineTest);
    CPPUNIT_TEST(exactly_n_messages_pass_then_the_next_is_deferred_with_limit_and_time);
    CPPUNIT_TEST(refused_recipients_and_aborted_messages_consume_no_quota);
    CPPUNIT_TEST(a_message_is_counted_once_per_instance);
    CPPUNIT_TEST(a_connection_keys_each_request_by_its_own_sender_and_the_current_settings);
    CPPUNIT_TEST(recipient_limit_defers_only_the_recipient_over_it);
    CPPUNIT_TEST(suppressed_recipients_are_refused_with_a_reply_that_fits_the_reason);
    CPPUNIT_TEST(suppression_scoped_to_a_sender_domain_spares_other_senders);
    CPPUNIT_TEST(suppression_added_by_another_process_applies_at_the_next_request);
    CPPUNIT_TEST(only_approved_senders_may_send_when_enabled);
    CPPUNIT_TEST(suspended_senders_get_the_configured_reply);
    CPPUNIT_TEST(could_not_tell_gives_the_configured_action_never_reject);
    CPPUNIT_TEST(state_is_written_behind_and_survives_a_restart);
    CPPUNIT_TEST(a_failed_write_is_taken_back_and_newer_changes_stay_newer);
    CPPUNIT_TEST(blocked_sends_become_events);
    CPPUNIT_TEST(refusals_about_the_sender_are_one_event_per_sender_and_reason_with_a_count);
    CPPUNIT_TEST(refusals_of_a_suspended_sender_share_one_event);
    CPPUNIT_TEST(reset_key_restores_the_full_quota);
    CPPUNIT_TEST_SUITE_END();

public:
    void exactly_n_messages_pass_then_the_next_is_deferred_with_limit_and_time()
    {
        TempStore ts;
        PolicyEngine engine(*ts.store, settings_with("message_limits = 3/1m\n"));
        for (int i = 0; i < 3; ++i) {
            Session s;
            auto a = send(engine, s, "m" + std::to_string(i), "alice@example.com", { "bob@example.org" }, t0);
            CPPUNIT_ASSERT_EQUAL_MESSAGE("message " + std::to_string(i), std::string("DUNNO"), a.back());
        }
        Session s;
        auto a = send(engine, s, "m3", "alice@example.com", { "bob@example.org" }, t0 + 5 * sec);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, a.size()); // refused at RCPT, no DATA
        CPPUNIT_ASSERT_EQUAL(
            std::string("DEFER_IF_PERMIT 4.7.1 Rate limit 3 messages per 1m reached for "
                        "sender:alice@example.com; sending may resume at 2026-01-01 00:00:20 UTC "
                        "(in 15s)"),
            a[0]);
        // Another sender is not affected.
        Session other;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            send(engine, other, "o1", "carol@example.com", { "bob@example.org" }, t0 + 5 * sec).back());
        // At the announced time one more passes.
        Session later;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            send(engine, later, "m4", "alice@example.com", { "bob@example.org" }, t0 + 20 * sec).back());
    }

    void refused_recipients_and_aborted_messages_consume_no_quota()
    {
        TempStore ts;
        put_suppression(*ts.store, "gone@example.org", "", store::Reason::hard_bounce);
        PolicyEngine engine(*ts.store, settings_with("message_limits = 2/1h\nrecipient_limits = 3/1h\n"));
        // Aborted: RCPTs answered, no END-OF-MESSAGE, many times over.
        for (int i = 0; i < 10; ++i) {
            Session s;
            CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
                engine
                    .handle(req("RCPT", "a" + std::to_string(i), "alice@example.com", "x@example.org"), s, t0)
                    .action);
        }
        // One message with a suppressed recipient and two good ones: 2 recipients counted.
        Session s1;
        auto a = send(engine, s1, "m1", "alice@example.com",
            { "gone@example.org", "x@example.org", "y@example.org" }, t0);
        CPPUNIT_ASSERT(starts_with(a[0], "550 5.1.1"));
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"), a.back());
        // Had the suppressed recipient counted, 3 of 3 recipients would be
        // used now; the first RCPT passes, the second is over the limit.
        Session s2;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "m2", "alice@example.com", "p@example.org"), s2, t0).action);
        CPPUNIT_ASSERT(
            starts_with(engine.handle(req("RCPT", "m2", "alice@example.com", "q@example.org"), s2, t0).action,
                "DEFER_IF_PERMIT"));
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("END-OF-MESSAGE", "m2", "alice@example.com", "", "1"), s2, t0).action);
        // Quota now: 2 messages of 2, 3 recipients of 3: the next message is deferred.
        Session s3;
        CPPUNIT_ASSERT(
            starts_with(engine.handle(req("RCPT", "m3", "alice@example.com", "z@example.org"), s3, t0).action,
                "DEFER_IF_PERMIT"));
    }

    void a_message_is_counted_once_per_instance()
    {
        TempStore ts;
        PolicyEngine engine(*ts.store, settings_with("message_limits = 2/1h\n"));
        Session s;
        engine.handle(req("RCPT", "m1", "alice@example.com", "x@example.org"), s, t0);
        // DATA is not the counting stage by default; END-OF-MESSAGE twice counts once.
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("DATA", "m1", "alice@example.com", "", "1"), s, t0).action);
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("END-OF-MESSAGE", "m1", "alice@example.com", "", "1"), s, t0).action);
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("END-OF-MESSAGE", "m1", "alice@example.com", "", "1"), s, t0).action);
        Session s2;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            send(engine, s2, "m2", "alice@example.com", { "x@example.org" }, t0).back());
        Session s3;
        CPPUNIT_ASSERT(starts_with(
            send(engine, s3, "m3", "alice@example.com", { "x@example.org" }, t0)[0], "DEFER_IF_PERMIT"));

        // count_at = data: DATA counts, END-OF-MESSAGE does not count again.
        TempStore ts2;
        PolicyEngine at_data(*ts2.store, settings_with("message_limits = 1/1h\ncount_at = data\n"));
        Session d;
        at_data.handle(req("RCPT", "d1", "alice@example.com", "x@example.org"), d, t0);
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            at_data.handle(req("DATA", "d1", "alice@example.com", "", "1"), d, t0).action);
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            at_data.handle(req("END-OF-MESSAGE", "d1", "alice@example.com", "", "1"), d, t0).action);
        Session d2;
        CPPUNIT_ASSERT(starts_with(
            at_data.handle(req("RCPT", "d2", "alice@example.com", "x@example.org"), d2, t0).action,
            "DEFER_IF_PERMIT"));
    }

    void a_connection_keys_each_request_by_its_own_sender_and_the_current_settings()
    {
        // The sender, domain and limit key are derived once and kept on the
        // connection's session; a client that changes the sender without a
        // new instance, and a reload that changes the key, must still be
        // keyed right.
        TempStore ts;
        PolicyEngine engine(*ts.store, settings_with("message_limits = 1/1h\n"));
        Session s;
        CPPUNIT_ASSERT_EQUAL(
            std::string("DUNNO"), send(engine, s, "m1", "alice@example.com", { "x@example.org" }, t0).back());
        // Same session and instance, another sender: its own quota.
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "m1", "bob@example.com", "x@example.org"), s, t0).action);
        CPPUNIT_ASSERT(
            starts_with(engine.handle(req("RCPT", "m1", "alice@example.com", "x@example.org"), s, t0).action,
                "DEFER_IF_PERMIT"));
        // Keyed by client address after a reload: alice's sent message does
        // not count against the client, whose first message passes.
        engine.reconfigure(settings_with("message_limits = 1/1h\nlimit_key = client_address\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "m1", "alice@example.com", "x@example.org"), s, t0).action);
    }

    void recipient_limit_defers_only_the_recipient_over_it()
    {
        TempStore ts;
        PolicyEngine engine(*ts.store, settings_with("recipient_limits = 3/1h\n"));
        Session s;
        auto a = send(engine, s, "m1", "alice@example.com",
            { "a@example.org", "b@example.org", "c@example.org", "d@example.org", "e@example.org" }, t0);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 6 }, a.size());
        for (int i = 0; i < 3; ++i)
            CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"), a[i]);
        CPPUNIT_ASSERT(starts_with(a[3], "DEFER_IF_PERMIT 4.7.1 Rate limit 3 recipients per 1h"));
        CPPUNIT_ASSERT(starts_with(a[4], "DEFER_IF_PERMIT 4.7.1"));
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"), a[5]); // the message with 3 recipients is counted
        Session s2;
        CPPUNIT_ASSERT(starts_with(
            send(engine, s2, "m2", "alice@example.com", { "f@example.org" }, t0)[0], "DEFER_IF_PERMIT"));
    }

    void suppressed_recipients_are_refused_with_a_reply_that_fits_the_reason()
    {
        TempStore ts;
        put_suppression(*ts.store, "hard@example.org", "", store::Reason::hard_bounce);
        put_suppression(*ts.store, "soft@example.org", "", store::Reason::soft_bounce, t0 / sec + 3600);
        put_suppression(*ts.store, "complained@example.org", "", store::Reason::complaint);
        put_suppression(*ts.store, "unsub@example.org", "", store::Reason::unsubscribe);
        put_suppression(*ts.store, "manual@example.org", "", store::Reason::manual);
        put_suppression(*ts.store, "expired@example.org", "", store::Reason::soft_bounce, t0 / sec - 1);
        PolicyEngine engine(
            *ts.store, settings_with("complaint_reply = 550 5.7.1 No: {recipient} complained ({scope})\n"));
        struct Case {
            const char* label;
            std::string recipient;
            std::string expected;
        };
        const Case cases[] = {
            { "hard bounce", "hard@example.org",
                "550 5.1.1 Recipient <hard@example.org> is suppressed for all senders: hard bounce on "
                "2025-12-31 "
                "00:00:00 UTC" },
            { "soft bounce is temporary", "soft@example.org",
                "450 4.2.0 Recipient <soft@example.org> is suppressed for all senders: repeated soft bounces "
                "since "
                "2025-12-31 00:00:00 UTC" },
            { "complaint, configured text", "complained@example.org",
                "550 5.7.1 No: complained@example.org complained (all senders)" },
            { "unsubscribe", "unsub@example.org",
                "550 5.7.1 Recipient <unsub@example.org> is suppressed for all senders: unsubscribed on "
                "2025-12-31 "
                "00:00:00 UTC" },
            { "manual", "manual@example.org",
                "550 5.7.1 Recipient <manual@example.org> is suppressed for all senders by the operator "
                "since "
                "2025-12-31 00:00:00 UTC" },
            { "expired entry is ignored", "expired@example.org", "DUNNO" },
            { "case of the domain does not matter", "HARD@EXAMPLE.ORG",
                "550 5.1.1 Recipient <hard@example.org> is suppressed for all senders: hard bounce on "
                "2025-12-31 "
                "00:00:00 UTC" },
            { "not suppressed", "fine@example.org", "DUNNO" },
        };
        for (const Case& c : cases) {
            Session s;
            Answer a = engine.handle(req("RCPT", "i", "alice@example.com", c.recipient), s, t0);
            CPPUNIT_ASSERT_MESSAGE(c.label, !a.close);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected, a.action);
        }
    }

    void suppression_scoped_to_a_sender_domain_spares_other_senders()
    {
        TempStore ts;
        put_suppression(*ts.store, "bob@example.org", "news.example.com", store::Reason::unsubscribe);
        PolicyEngine engine(*ts.store, settings_with(""));
        Session s1;
        Answer a = engine.handle(req("RCPT", "i1", "letters@news.example.com", "bob@example.org"), s1, t0);
        CPPUNIT_ASSERT(starts_with(
            a.action, "550 5.7.1 Recipient <bob@example.org> is suppressed for senders of news.example.com"));
        Session s2;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "i2", "billing@example.com", "bob@example.org"), s2, t0).action);
    }

    void suppression_added_by_another_process_applies_at_the_next_request()
    {
        TempStore ts;
        PolicyEngine engine(*ts.store, settings_with(""));
        Session s;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "i1", "alice@example.com", "new@example.org"), s, t0).action);
        auto other = ts.open(); // the CLI or the bounce program: a second connection
        put_suppression(*other, "new@example.org", "", store::Reason::complaint);
        CPPUNIT_ASSERT(starts_with(
            engine.handle(req("RCPT", "i1", "alice@example.com", "new@example.org"), s, t0).action,
            "550 5.7.1"));
    }

    void only_approved_senders_may_send_when_enabled()
    {
        TempStore ts;
        put_sender(*ts.store, "alice@example.com", true, store::SenderState::ok);
        put_sender(*ts.store, "trusted.example", true, store::SenderState::ok);
        put_sender(*ts.store, "appuser", true, store::SenderState::ok);
        put_sender(*ts.store, "listed-not-approved@example.com", false, store::SenderState::ok);
        PolicyEngine engine(*ts.store, settings_with("approved_senders_only = yes\n"));
        struct Case {
            const char* label;
            std::string sender;
            std::string sasl;
            bool allowed;
        };
        const Case cases[] = {
            { "approved address", "alice@example.com", "", true },
            { "approved address, other case", "Alice@Example.COM", "", true },
            { "approved domain", "anyone@trusted.example", "", true },
            { "approved SASL user", "x@elsewhere.example", "appuser", true },
            { "unknown sender", "mallory@example.com", "", false },
            { "listed but not approved", "listed-not-approved@example.com", "", false },
            { "null sender", "", "", false },
        };
        for (const Case& c : cases) {
            Session s;
            PolicyRequest r = req("RCPT", "i", c.sender, "bob@example.org");
            r.set("sasl_username", c.sasl);
            Answer a = engine.handle(r, s, t0);
            if (c.allowed)
                CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string("DUNNO"), a.action);
            else
                CPPUNIT_ASSERT_MESSAGE(c.label + (": " + a.action),
                    starts_with(a.action, "550 5.7.1 Sender <")
                        && a.action.find("not an approved sender") != std::string::npos);
        }
        // Disabled: everyone may send.
        PolicyEngine open(*ts.store, settings_with(""));
        Session s;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            open.handle(req("RCPT", "i", "mallory@example.com", "b@example.org"), s, t0).action);
    }

    void suspended_senders_get_the_configured_reply()
    {
        TempStore ts;
        put_sender(*ts.store, "spammy.example", false, store::SenderState::suspended);
        put_sender(*ts.store, "warned@example.com", false, store::SenderState::warning);
        PolicyEngine engine(*ts.store, settings_with(""));
        Session s;
        CPPUNIT_ASSERT_EQUAL(
            std::string("450 4.7.1 Sending for spammy.example is suspended since 2025-12-31 23:00:00 UTC: "
                        "complaint rate 0.5% over 24h"),
            engine.handle(req("RCPT", "i", "news@spammy.example", "b@example.org"), s, t0).action);
        Session w;
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            engine.handle(req("RCPT", "j", "warned@example.com", "b@example.org"), w, t0).action);
        PolicyEngine custom(*ts.store, settings_with("suspended_reply = 550 5.7.1 Suspended: {subject}\n"));
        Session c;
        CPPUNIT_ASSERT_EQUAL(std::string("550 5.7.1 Suspended: spammy.example"),
            custom.handle(req("RCPT", "k", "news@spammy.example", "b@example.org"), c, t0).action);
    }

    void could_not_tell_gives_the_configured_action_never_reject()
    {
        TempStore ts;
        put_suppression(*ts.store, "hard@example.org", "", store::Reason::hard_bounce);
        ts.store.reset();
        // A damaged database: the suppression table's pages overwritten.
        // (A lock cannot stop readers in WAL mode; corruption is the
        // could-not-tell case a reader meets.)
        sqlite3* raw = nullptr;
        CPPUNIT_ASSERT_EQUAL(SQLITE_OK, sqlite3_open(ts.path().c_str(), &raw));
        CPPUNIT_ASSERT_EQUAL(
            SQLITE_OK, sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr));
        std::vector<std::int64_t> pages;
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(raw, "PRAGMA page_size", -1, &stmt, nullptr);
        CPPUNIT_ASSERT_EQUAL(SQLITE_ROW, sqlite3_step(stmt));
        const std::int64_t page_size = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_prepare_v2(
            raw, "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'suppression'", -1, &stmt, nullptr);
        while (sqlite3_step(stmt) == SQLITE_ROW)
            pages.push_back(sqlite3_column_int64(stmt, 0));
        sqlite3_finalize(stmt);
        sqlite3_close(raw);
        CPPUNIT_ASSERT(!pages.empty());
        {
            std::fstream f(ts.path(), std::ios::in | std::ios::out | std::ios::binary);
            const std::string garbage(static_cast<std::size_t>(page_size), '\xa5');
            for (std::int64_t p : pages) {
                f.seekp((p - 1) * page_size);
                f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
            }
        }
        struct Case {
            const char* setting;
            bool close;
            std::string action;
        };
        const Case cases[] = {
            { "close", true, "" },
            { "dunno", false, "DUNNO" },
            { "defer_if_permit", false,
                "DEFER_IF_PERMIT 4.3.0 Policy service cannot check this request now; try again later" },
        };
        auto damaged = ts.open();
        for (const Case& c : cases) {
            PolicyEngine engine(
                *damaged, settings_with(std::string("on_could_not_tell = ") + c.setting + "\n"));
            Session s;
            Answer a = engine.handle(req("RCPT", "i", "alice@example.com", "bob@example.org"), s, t0);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.setting, c.close, a.close);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.setting, c.action, a.action);
        }
    }

    void state_is_written_behind_and_survives_a_restart()
    {
        TempStore ts;
        auto settings = settings_with("message_limits = 2/1h\npersist_interval = 1s\n");
        {
            PolicyEngine engine(*ts.store, settings);
            CPPUNIT_ASSERT(engine.flush(t0).ok()); // the first flush starts the beat
            Session s1, s2;
            send(engine, s1, "m1", "alice@example.com", { "x@example.org" }, t0);
            send(engine, s2, "m2", "alice@example.com", { "x@example.org" }, t0);
            // Nothing is written before the interval: a crash now loses these two.
            CPPUNIT_ASSERT(!engine.flush_due(t0 + sec - 1));
            auto rows = ts.store->load_limiter_states();
            CPPUNIT_ASSERT(rows.ok() && rows->empty());
            CPPUNIT_ASSERT(engine.flush_due(t0 + sec));
            CPPUNIT_ASSERT(engine.flush(t0 + sec).ok());
            CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, engine.pending_writes());
        }
        auto reopened = ts.open();
        PolicyEngine restarted(*reopened, settings);
        CPPUNIT_ASSERT(restarted.load_state().ok());
        Session s3;
        Answer a
            = restarted.handle(req("RCPT", "m3", "alice@example.com", "x@example.org"), s3, t0 + 2 * sec);
        CPPUNIT_ASSERT_EQUAL(
            std::string("DEFER_IF_PERMIT 4.7.1 Rate limit 2 messages per 1h reached for "
                        "sender:alice@example.com; sending may resume at 2026-01-01 00:30:00 UTC "
                        "(in 29m58s)"),
            a.action);
    }

    void a_failed_write_is_taken_back_and_newer_changes_stay_newer()
    {
        TempStore ts;
        put_suppression(*ts.store, "hard@example.org", "", store::Reason::hard_bounce);
        auto settings = settings_with("message_limits = 2/1h\n");
        PolicyEngine engine(*ts.store, settings);
        Session a1, b1, b2, blocked;
        send(engine, a1, "a1", "alice@example.com", { "x@example.org" }, t0);
        send(engine, b1, "b1", "bob@example.com", { "x@example.org" }, t0);
        engine.handle(req("RCPT", "c1", "carol@example.com", "hard@example.org"), blocked, t0);
        PersistBatch failed = engine.take_batch(t0);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 0 }, engine.pending_writes());
        // While the write is out, bob sends again; then the write fails.
        send(engine, b2, "b2", "bob@example.com", { "x@example.org" }, t0 + sec);
        engine.batch_done(std::move(failed), make_error(ErrorKind::io, "disk full"), t0 + sec);
        CPPUNIT_ASSERT(engine.flush(t0 + sec).ok());

        PolicyEngine restarted(*ts.store, settings);
        CPPUNIT_ASSERT(restarted.load_state().ok());
        Session a2, a3, b3;
        // Alice's one message came back from the failed batch: one more passes.
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            send(restarted, a2, "a2", "alice@example.com", { "x@example.org" }, t0 + sec).back());
        CPPUNIT_ASSERT(starts_with(
            send(restarted, a3, "a3", "alice@example.com", { "x@example.org" }, t0 + sec)[0], "DEFER"));
        // Bob's newer state (two messages) was not overwritten by the older one.
        CPPUNIT_ASSERT(starts_with(
            send(restarted, b3, "b3", "bob@example.com", { "x@example.org" }, t0 + sec)[0], "DEFER"));
        auto events = blocked_events(*ts.store);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, events.size());
    }

    void blocked_sends_become_events()
    {
        TempStore ts;
        put_suppression(*ts.store, "hard@example.org", "", store::Reason::hard_bounce);
        PolicyEngine engine(*ts.store, settings_with(""));
        Session s;
        PolicyRequest r = req("RCPT", "i", "alice@example.com", "hard@example.org");
        r.set("queue_id", "4QXYZ1");
        engine.handle(r, s, t0);
        CPPUNIT_ASSERT(engine.flush(t0).ok());
        auto events = blocked_events(*ts.store);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, events.size());
        const store::Event& e = events.front();
        CPPUNIT_ASSERT_EQUAL(std::string("hard@example.org"), e.recipient);
        CPPUNIT_ASSERT_EQUAL(std::string("alice@example.com"), e.sender);
        CPPUNIT_ASSERT_EQUAL(std::string("4QXYZ1"), e.message_key);
        CPPUNIT_ASSERT(starts_with(e.detail, "suppressed: 550 5.1.1"));
        CPPUNIT_ASSERT_EQUAL(std::string("policyd"), e.source);
    }

    void refusals_about_the_sender_are_one_event_per_sender_and_reason_with_a_count()
    {
        TempStore ts;
        put_suppression(*ts.store, "hard@example.org", "", store::Reason::hard_bounce);
        put_suppression(*ts.store, "gone@example.org", "", store::Reason::hard_bounce);
        PolicyEngine engine(*ts.store, settings_with("message_limits = 1/1h\n"));
        auto rcpt = [&](const std::string& instance, const std::string& sender, const std::string& recipient,
                        TimeUs now) {
            Session s;
            return engine.handle(req("RCPT", instance, sender, recipient), s, now).action;
        };
        Session first_a, first_b;
        send(engine, first_a, "a0", "alice@example.com", { "x@example.org" }, t0);
        send(engine, first_b, "b0", "bob@example.com", { "x@example.org" }, t0);
        for (int i = 1; i <= 3; ++i)
            CPPUNIT_ASSERT(starts_with(rcpt("a" + std::to_string(i), "alice@example.com",
                                           "r" + std::to_string(i) + "@example.org", t0 + i * sec),
                "DEFER"));
        CPPUNIT_ASSERT(starts_with(rcpt("b1", "bob@example.com", "r@example.org", t0), "DEFER"));
        // A refusal about the recipient stays one event per recipient.
        CPPUNIT_ASSERT(starts_with(rcpt("c1", "carol@example.com", "hard@example.org", t0), "550"));
        CPPUNIT_ASSERT(starts_with(rcpt("c2", "carol@example.com", "gone@example.org", t0), "550"));

        // A write that fails while alice is refused once more: one event still,
        // with the first refusal's time and all four counted.
        PersistBatch failed = engine.take_batch(t0 + 3 * sec);
        CPPUNIT_ASSERT(starts_with(rcpt("a4", "alice@example.com", "r4@example.org", t0 + 4 * sec), "DEFER"));
        engine.batch_done(std::move(failed), make_error(ErrorKind::io, "disk full"), t0 + 4 * sec);
        CPPUNIT_ASSERT(engine.flush(t0 + 4 * sec).ok());

        auto events = blocked_events(*ts.store);
        std::map<std::string, store::Event> by_who;
        for (const store::Event& e : events)
            by_who[e.sender + " " + e.recipient] = e;
        CPPUNIT_ASSERT_EQUAL(std::size_t { 4 }, by_who.size());
        const store::Event& alice = by_who.at("alice@example.com ");
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 4 }, alice.count);
        CPPUNIT_ASSERT_EQUAL(store::Time { t0 / sec + 1 }, alice.at);
        CPPUNIT_ASSERT(starts_with(alice.detail, "rate_limit: DEFER_IF_PERMIT"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1 }, by_who.at("bob@example.com ").count);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1 }, by_who.at("carol@example.com hard@example.org").count);
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 1 }, by_who.at("carol@example.com gone@example.org").count);
    }

    void refusals_of_a_suspended_sender_share_one_event()
    {
        TempStore ts;
        put_sender(*ts.store, "example.com", false, store::SenderState::suspended);
        PolicyEngine engine(*ts.store, settings_with(""));
        for (int i = 0; i < 3; ++i) {
            Session s;
            std::string n = std::to_string(i);
            CPPUNIT_ASSERT(starts_with(
                engine.handle(req("RCPT", "i" + n, "alice@example.com", "r" + n + "@example.org"), s, t0)
                    .action,
                "450"));
        }
        CPPUNIT_ASSERT(engine.flush(t0).ok());
        auto events = blocked_events(*ts.store);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, events.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 3 }, events.front().count);
        CPPUNIT_ASSERT(starts_with(events.front().detail, "sender_suspended: 450"));
    }

    void reset_key_restores_the_full_quota()
    {
        TempStore ts;
        auto settings = settings_with("message_limits = 1/1d\n");
        PolicyEngine engine(*ts.store, settings);
        Session s1, s2, s3;
        send(engine, s1, "m1", "alice@example.com", { "x@example.org" }, t0);
        CPPUNIT_ASSERT(engine.flush(t0).ok());
        CPPUNIT_ASSERT(
            starts_with(send(engine, s2, "m2", "alice@example.com", { "x@example.org" }, t0)[0], "DEFER"));
        engine.reset_key("sender:alice@example.com");
        CPPUNIT_ASSERT(engine.flush(t0).ok());
        // The reset is persisted: a restart does not bring the old state back.
        PolicyEngine restarted(*ts.store, settings);
        CPPUNIT_ASSERT(restarted.load_state().ok());
        CPPUNIT_ASSERT_EQUAL(std::string("DUNNO"),
            send(restarted, s3, "m3", "alice@example.com", { "x@example.org" }, t0).back());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PolicyEngineTest);
