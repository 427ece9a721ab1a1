// Tests for policy/policy_settings: [policyd] values, reply templates and
// limit overrides, with every error reported.
#include "core/config.hh"
#include "policy/policy_settings.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::policy;

class PolicySettingsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PolicySettingsTest);
    CPPUNIT_TEST(defaults_are_valid);
    CPPUNIT_TEST(limits_and_overrides_are_read);
    CPPUNIT_TEST(every_bad_value_is_reported);
    CPPUNIT_TEST(overrides_split_from_the_right);
    CPPUNIT_TEST(templates_check_action_and_placeholders);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults_are_valid()
    {
        auto s = settings_from(config::Config());
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
        CPPUNIT_ASSERT(s->limits.empty());
        CPPUNIT_ASSERT(s->could_not_tell == CouldNotTell::close);
        CPPUNIT_ASSERT(s->count_at == CountAt::end_of_message);
        CPPUNIT_ASSERT_EQUAL(us_per_second, s->persist_interval);
    }

    void limits_and_overrides_are_read()
    {
        auto c = config::parse(
            "[policyd]\nmessage_limits = 100/1m 1000/1h\nrecipient_limits = 500/1h\n"
            "limit_overrides = sender:news@example.com:messages:50000/1d "
            "sender:news@example.com:recipients:90000/1d client:2001:db8::1:messages:5/1m\n"
            "limit_key = client_address\non_could_not_tell = defer_if_permit\ncount_at = data\n",
            "t.conf");
        CPPUNIT_ASSERT_MESSAGE(c ? "" : c.error().message, c.ok());
        auto s = settings_from(*c);
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, s->limits.size());
        CPPUNIT_ASSERT(s->limits[2] == (Limit { LimitKind::recipients, 500, 3600 }));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, s->overrides["sender:news@example.com"].size());
        CPPUNIT_ASSERT(s->overrides["client:2001:db8::1"][0] == (Limit { LimitKind::messages, 5, 60 }));
        CPPUNIT_ASSERT(s->key_sources.size() == 1 && s->key_sources[0] == KeySource::client_address);
        CPPUNIT_ASSERT(s->could_not_tell == CouldNotTell::defer_if_permit);
        CPPUNIT_ASSERT(s->count_at == CountAt::data);
    }

    void every_bad_value_is_reported()
    {
        auto c = config::parse("[policyd]\nmessage_limits = 0/1h abc\nlimit_key = recipient\n"
                               "limit_overrides = nokind\nover_limit_reply = OK {limit}\n"
                               "hard_bounce_reply = 550 5.1.1 {sender}\n",
            "t.conf");
        CPPUNIT_ASSERT(c.ok());
        auto s = settings_from(*c);
        CPPUNIT_ASSERT(!s.ok());
        const std::string& m = s.error().message;
        for (const char* want : { "message_limits: \"0/1h\"", "message_limits: \"abc\"",
                 "limit_key:", "limit_overrides:", "over_limit_reply: must start with",
                 "hard_bounce_reply: unknown placeholder {sender}" })
            CPPUNIT_ASSERT_MESSAGE(
                std::string(want) + " missing in:\n" + m, m.find(want) != std::string::npos);
    }

    void overrides_split_from_the_right()
    {
        struct Case {
            const char* input;
            const char* key;
            LimitKind kind;
            std::int64_t count;
        };
        const Case good[] = {
            { "sender:a@example.com:messages:10/1m", "sender:a@example.com", LimitKind::messages, 10 },
            { "client:2001:db8::1:recipients:7/1h", "client:2001:db8::1", LimitKind::recipients, 7 },
            { "sasl:bob:messages:1/1s", "sasl:bob", LimitKind::messages, 1 },
        };
        for (const Case& c : good) {
            auto o = parse_override(c.input);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.input) + ": " + (o ? "" : o.error().message), o.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.input, std::string(c.key), o->key);
            CPPUNIT_ASSERT_MESSAGE(c.input, o->limit.kind == c.kind && o->limit.count == c.count);
        }
        for (const char* bad : { "", "10/1m", "messages:10/1m", ":messages:10/1m", "k:bytes:10/1m",
                 "k:messages:0/1m", "k:messages:10" })
            CPPUNIT_ASSERT_MESSAGE(std::string("\"") + bad + "\" must be refused", !parse_override(bad).ok());
    }

    void templates_check_action_and_placeholders()
    {
        auto t = ReplyTemplate::parse("450 4.7.1 {a} and {b}, {a}", { "a", "b" });
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(
            std::string("450 4.7.1 1 and two, 1"), t->expand({ { "a", "1" }, { "b", "two" } }));
        for (const char* ok : { "DEFER_IF_PERMIT x", "DEFER x", "REJECT x", "554 5.7.1 x", "421 x" })
            CPPUNIT_ASSERT_MESSAGE(ok, ReplyTemplate::parse(ok, {}).ok());
        for (const char* bad :
            { "OK", "DUNNO", "250 ok", "PREPEND X-Foo: bar", "600 x", "45 x", "450 {c}", "450 {a" })
            CPPUNIT_ASSERT_MESSAGE(bad, !ReplyTemplate::parse(bad, { "a" }).ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PolicySettingsTest);
