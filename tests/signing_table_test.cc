// Tests for dkim/signing_table: refile and exact lookups in OpenDKIM's
// order, "%" expansion, several keys per sender, and the cross-check.
#include "dkim/signing_table.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

namespace {

std::string keys_of(const std::vector<SigningMatch>& m)
{
    std::string out;
    for (const SigningMatch& x : m)
        out += (out.empty() ? "" : ",") + x.key_name;
    return out;
}

} // namespace

class SigningTableTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SigningTableTest);
    CPPUNIT_TEST(wildcards_match_whole_address_ignoring_case);
    CPPUNIT_TEST(refile_first_match_wins_in_file_order);
    CPPUNIT_TEST(multiple_signatures_return_every_match);
    CPPUNIT_TEST(exact_tables_follow_the_opendkim_ladder);
    CPPUNIT_TEST(percent_expands_to_the_from_domain);
    CPPUNIT_TEST(cross_check_names_missing_keys_by_line);
    CPPUNIT_TEST_SUITE_END();

public:
    void wildcards_match_whole_address_ignoring_case()
    {
        struct Case {
            const char* pattern;
            const char* text;
            bool match;
        };
        const Case cases[] = {
            { "*@example.com", "a@example.com", true },
            { "*@example.com", "a@EXAMPLE.com", true },
            { "*@example.com", "a@sub.example.com", false },
            { "*@*.example.com", "a@sub.example.com", true },
            { "*", "anything@x.y", true },
            { "president@example.com", "president@example.com", true },
            { "president@example.com", "vicepresident@example.com", false },
            { "*@example.com", "a@example.com.evil", false },
            { "a*b*c", "aXbYc", true },
            { "a*b*c", "aXbY", false },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                std::string(c.pattern) + " vs " + c.text, c.match, wildcard_match(c.pattern, c.text));
    }

    void refile_first_match_wins_in_file_order()
    {
        // OpenDKIM's README example.
        auto t = SigningTable::parse(
            "president@example.com\tpreskey\n*@example.com\t\tcomkey\n*@example.net\t\tnetkey\n", "st",
            DatasetKind::refile);
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("preskey"), keys_of(t->match("president", "example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("comkey"), keys_of(t->match("alice", "example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("netkey"), keys_of(t->match("bob", "example.net", false)));
        CPPUNIT_ASSERT_EQUAL(std::string(""), keys_of(t->match("eve", "example.org", false)));
    }

    void multiple_signatures_return_every_match()
    {
        auto t = SigningTable::parse(
            "*@example.com rsa\n*@example.com ed\n*@other.example x\n", "st", DatasetKind::refile);
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("rsa"), keys_of(t->match("a", "example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("rsa,ed"), keys_of(t->match("a", "example.com", true)));
    }

    void exact_tables_follow_the_opendkim_ladder()
    {
        // opendkim.conf(5): user@host, host, user@.parent..., .parent..., user@*, *.
        auto t = SigningTable::parse("*  star\nbob@*  bobany\n.com  dotcom\n.example.com dotex\n"
                                     "bob@.example.com bobdotex\nfoo.example.com host\n"
                                     "bob@foo.example.com exact\n",
            "st", DatasetKind::file);
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("exact,host,bobdotex,dotex,dotcom,bobany,star"),
            keys_of(t->match("Bob", "foo.example.com", true)));
        CPPUNIT_ASSERT_EQUAL(std::string("exact"), keys_of(t->match("bob", "foo.example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("host"), keys_of(t->match("carol", "foo.example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("dotex"), keys_of(t->match("carol", "bar.example.com", false)));
        CPPUNIT_ASSERT_EQUAL(std::string("star"), keys_of(t->match("carol", "example.org", false)));
    }

    void percent_expands_to_the_from_domain()
    {
        auto t = SigningTable::parse("*@* % user@%\n", "st", DatasetKind::refile);
        CPPUNIT_ASSERT(t.ok());
        auto m = t->match("a", "example.org", false);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, m.size());
        CPPUNIT_ASSERT_EQUAL(std::string("example.org"), m[0].key_name);
        CPPUNIT_ASSERT_EQUAL(std::string("user@example.org"), m[0].signer);
    }

    void cross_check_names_missing_keys_by_line()
    {
        auto keys
            = KeyTable::parse("comkey example.com:bar:/k/excom\nspare example.com:old:/k/old\n", "/etc/kt");
        CPPUNIT_ASSERT(keys.ok());
        auto good = SigningTable::parse("*@example.com comkey\n", "/etc/st", DatasetKind::refile);
        std::vector<std::string> warnings;
        CPPUNIT_ASSERT(cross_check(*good, *keys, &warnings).ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, warnings.size());
        CPPUNIT_ASSERT_MESSAGE(
            warnings[0], warnings[0].find("/etc/kt:2: key \"spare\"") != std::string::npos);

        auto bad = SigningTable::parse(
            "*@example.com comkey\n\n*@example.net netkey\n", "/etc/st", DatasetKind::refile);
        auto r = cross_check(*bad, *keys, nullptr);
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT_MESSAGE(r.error().message,
            r.error().message.find("/etc/st:3: key \"netkey\" is not in the KeyTable /etc/kt")
                != std::string::npos);

        auto extra
            = SigningTable::parse("*@example.com comkey signer extra\n", "/etc/st", DatasetKind::refile);
        CPPUNIT_ASSERT(!extra.ok());
        CPPUNIT_ASSERT(extra.error().message.find("/etc/st:1:") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SigningTableTest);
