// Tests for policy/limit_key: which sender a request belongs to, and that
// spelling variants of one sender give one key.
#include "policy/limit_key.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::policy;

namespace {

PolicyRequest request(std::string_view sasl, std::string_view sender, std::string_view client)
{
    PolicyRequest r;
    r.set("request", "smtpd_access_policy");
    r.set("sasl_username", sasl);
    r.set("sender", sender);
    r.set("client_address", client);
    return r;
}

} // namespace

class LimitKeyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LimitKeyTest);
    CPPUNIT_TEST(each_source_gives_a_prefixed_normalised_key);
    CPPUNIT_TEST(first_available_source_wins);
    CPPUNIT_TEST(sources_are_parsed_from_config_words);
    CPPUNIT_TEST(hostile_values_give_bounded_keys);
    CPPUNIT_TEST_SUITE_END();

public:
    void each_source_gives_a_prefixed_normalised_key()
    {
        struct Case {
            const char* label;
            KeySource source;
            PolicyRequest req;
            std::optional<std::string> expected;
        };
        const Case cases[] = {
            { "SASL user lower-cased", KeySource::sasl_username, request("Alice", "", ""), "sasl:alice" },
            { "no SASL login", KeySource::sasl_username, request("", "a@x.org", ""), std::nullopt },
            { "sender", KeySource::sender, request("", "a@example.com", ""), "sender:a@example.com" },
            { "sender case folded", KeySource::sender, request("", "Alice@EXAMPLE.com", ""),
                "sender:alice@example.com" },
            { "sender in brackets", KeySource::sender, request("", "<a@example.com>", ""),
                "sender:a@example.com" },
            { "IDN sender domain", KeySource::sender, request("", "a@bücher.example", ""),
                "sender:a@xn--bcher-kva.example" },
            { "null sender", KeySource::sender, request("", "", ""), std::nullopt },
            { "null sender in brackets", KeySource::sender, request("", "<>", ""), std::nullopt },
            { "sender domain", KeySource::sender_domain, request("", "a@Mail.Example.com", ""),
                "domain:mail.example.com" },
            { "sender domain of null sender", KeySource::sender_domain, request("", "", ""), std::nullopt },
            { "IPv4 client", KeySource::client_address, request("", "", "192.0.2.1"), "client:192.0.2.1" },
            { "IPv6 client canonical", KeySource::client_address, request("", "", "2001:DB8:0:0::1"),
                "client:2001:db8::1" },
            { "unknown client", KeySource::client_address, request("", "", "unknown"), "client:unknown" },
            { "unparseable sender kept lower-cased", KeySource::sender, request("", "Not An Address", ""),
                "sender:not an address" },
        };
        for (const Case& c : cases) {
            auto k = derive_key(c.source, c.req);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.expected.has_value(), k.has_value());
            if (k)
                CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, *c.expected, *k);
        }
    }

    void first_available_source_wins()
    {
        std::vector<KeySource> sources { KeySource::sasl_username, KeySource::sender,
            KeySource::client_address };
        CPPUNIT_ASSERT_EQUAL(
            std::string("sasl:bob"), *derive_limit_key(sources, request("bob", "a@x.org", "192.0.2.9")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("sender:a@x.org"), *derive_limit_key(sources, request("", "a@x.org", "192.0.2.9")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("client:192.0.2.9"), *derive_limit_key(sources, request("", "", "192.0.2.9")));
        CPPUNIT_ASSERT(!derive_limit_key(sources, request("", "", "")).has_value());
    }

    void sources_are_parsed_from_config_words()
    {
        auto s = parse_key_sources({ "sasl_username", "sender_domain" });
        CPPUNIT_ASSERT(s.ok());
        CPPUNIT_ASSERT(s->size() == 2 && (*s)[1] == KeySource::sender_domain);
        CPPUNIT_ASSERT(!parse_key_sources({ "sasl_username", "recipient" }).ok());
        CPPUNIT_ASSERT(!parse_key_sources({}).ok());
    }

    void hostile_values_give_bounded_keys()
    {
        std::string huge(1 << 20, 'A');
        auto k = derive_key(KeySource::sasl_username, request(huge, "", ""));
        CPPUNIT_ASSERT(k.has_value());
        CPPUNIT_ASSERT(k->size() <= max_key_length + 5);
        k = derive_key(KeySource::sender, request("", huge + "@x.org", ""));
        CPPUNIT_ASSERT(k && k->size() <= max_key_length + 7);
        k = derive_key(KeySource::client_address, request("", "", huge));
        CPPUNIT_ASSERT(k && k->size() <= max_key_length + 7);
        CPPUNIT_ASSERT_EQUAL(std::string("x.org"), sender_domain_of("junk@@x.org"));
        CPPUNIT_ASSERT_EQUAL(std::string("a@example.com"), normalized_recipient("<a@EXAMPLE.com>"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LimitKeyTest);
