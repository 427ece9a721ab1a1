// Tests for dkim/key_table: OpenDKIM's README example and broken lines.
#include "dkim/key_table.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class KeyTableTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(KeyTableTest);
    CPPUNIT_TEST(opendkim_readme_example_parses);
    CPPUNIT_TEST(percent_domain_and_inline_keys_are_kept);
    CPPUNIT_TEST(broken_lines_name_file_and_line);
    CPPUNIT_TEST_SUITE_END();

public:
    void opendkim_readme_example_parses()
    {
        // From OpenDKIM's README, "USING KEYTABLE AND SIGNINGTABLE".
        const char* text = "preskey\texample.com:foo:/usr/local/etc/dkim/keys/president\n"
                           "comkey\texample.com:bar:/usr/local/etc/dkim/keys/excom\n"
                           "netkey\texample.net:baz:/usr/local/etc/dkim/keys/exnet\n";
        auto t = KeyTable::parse(text, "keytable");
        CPPUNIT_ASSERT_MESSAGE(t ? "" : t.error().message, t.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, t->entries().size());
        const KeyTableEntry* e = t->find("netkey");
        CPPUNIT_ASSERT(e);
        CPPUNIT_ASSERT_EQUAL(std::string("example.net"), e->domain);
        CPPUNIT_ASSERT_EQUAL(std::string("baz"), e->selector);
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/local/etc/dkim/keys/exnet"), e->key);
        CPPUNIT_ASSERT(e->key_is_path);
        CPPUNIT_ASSERT_EQUAL(std::string("keytable:3"), e->origin.str());
        CPPUNIT_ASSERT(!t->find("NETKEY"));
    }

    void percent_domain_and_inline_keys_are_kept()
    {
        auto t = KeyTable::parse("any %:mail:/etc/k/any.pem\ninline example.org:s1:MIIBVAIBADANBgkq\n", "kt");
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("%"), t->find("any")->domain);
        CPPUNIT_ASSERT(!t->find("inline")->key_is_path);
    }

    void broken_lines_name_file_and_line()
    {
        struct Case {
            const char* label;
            const char* line;
            const char* expected;
        };
        const Case cases[] = {
            { "no colons", "k1 example.com\n", "kt:1: key \"k1\": expected DOMAIN:SELECTOR:KEYFILE" },
            { "one colon", "k1 example.com:sel\n", "kt:1: key \"k1\": expected DOMAIN:SELECTOR:KEYFILE" },
            { "bad domain", "k1 exa mple.com:sel:/k\n", "kt:1: key \"k1\": invalid signing domain" },
            { "bad selector", "k1 example.com:s*l:/k\n", "kt:1: key \"k1\": invalid selector" },
            { "empty key", "k1 example.com:sel:\n", "kt:1: key \"k1\": no key file" },
            { "percent in path", "k1 example.com:sel:/keys/%.pem\n",
                "kt:1: key \"k1\": \"%\" in a key path" },
            { "duplicate", "k1 a.example:s:/a\n#\nk1 b.example:s:/b\n",
                "kt:3: key \"k1\" defined twice (first at kt:1)" },
        };
        for (const Case& c : cases) {
            auto t = KeyTable::parse(c.line, "kt");
            CPPUNIT_ASSERT_MESSAGE(c.label, !t.ok());
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": got " + t.error().message,
                t.error().message.find(c.expected) != std::string::npos);
        }
        // Every problem is reported, not just the first.
        auto t = KeyTable::parse("a x\nb example.com:s:/k\nc y\n", "kt");
        CPPUNIT_ASSERT(!t.ok());
        CPPUNIT_ASSERT(t.error().message.find("kt:1:") != std::string::npos);
        CPPUNIT_ASSERT(t.error().message.find("kt:3:") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(KeyTableTest);
