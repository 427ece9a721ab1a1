// Tests for dkim/keyring: the simple setup, OpenDKIM tables with dual keys,
// and refusals that name the file and line.
#include "dkim/key_generator.hh"
#include "dkim/keyring.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class KeyringTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(KeyringTest);
    CPPUNIT_TEST(simple_setup_signs_domain_and_subdomains_with_both_keys);
    CPPUNIT_TEST(tables_give_dual_signatures_when_multiple);
    CPPUNIT_TEST(inconsistent_tables_are_refused_with_file_and_line);
    CPPUNIT_TEST(missing_or_mixed_setups_are_refused);
    CPPUNIT_TEST(identity_must_fit_the_domain);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;
    std::string rsa_, ed_;

    void write(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }

    Result<std::shared_ptr<const Keyring>> load(
        const std::string& conf, std::vector<std::string>* w = nullptr)
    {
        auto cfg = config::parse(conf, "t.conf");
        if (!cfg)
            return cfg.error();
        return Keyring::load(*cfg, w);
    }

public:
    void setUp() override
    {
        char tmpl[] = "/tmp/sendsentry-keyring.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        rsa_ = dir_ + "/rsa.pem";
        ed_ = dir_ + "/ed.pem";
        CPPUNIT_ASSERT(write_private_key(rsa_, **generate_key(KeyAlgorithm::rsa_sha256, 2048)).ok());
        CPPUNIT_ASSERT(write_private_key(ed_, **generate_key(KeyAlgorithm::ed25519_sha256, 0)).ok());
    }
    void tearDown() override { std::filesystem::remove_all(dir_); }

    void simple_setup_signs_domain_and_subdomains_with_both_keys()
    {
        auto k = load("[dkim]\ndomain = Example.com\nselector = r1\nkey_file = " + rsa_
            + "\nsecond_selector = e1\nsecond_key_file = " + ed_ + "\n");
        CPPUNIT_ASSERT_MESSAGE(k ? "" : k.error().message, k.ok());
        auto sigs = (*k)->signatures_for(Address("a", "example.com"));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, sigs.size());
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), sigs[0].domain);
        CPPUNIT_ASSERT_EQUAL(std::string("r1"), sigs[0].selector);
        CPPUNIT_ASSERT(sigs[1].key->algorithm() == KeyAlgorithm::ed25519_sha256);
        CPPUNIT_ASSERT_EQUAL(
            std::size_t { 2 }, (*k)->signatures_for(Address("a", "news.example.com")).size());
        CPPUNIT_ASSERT((*k)->signatures_for(Address("a", "notexample.com")).empty());
        CPPUNIT_ASSERT((*k)->signatures_for(Address("a", "example.com.evil")).empty());
    }

    void tables_give_dual_signatures_when_multiple()
    {
        write("kt",
            "rsa example.com:r2024:" + rsa_ + "\ned example.com:e2024:" + ed_ + "\nany %:mail:" + rsa_
                + "\n");
        write("st", "*@example.com rsa\n*@example.com ed @example.com\n*@* any\n");
        std::string base = "[dkim]\nkey_table = " + dir_ + "/kt\nsigning_table = refile:" + dir_ + "/st\n";
        auto single = load(base);
        CPPUNIT_ASSERT_MESSAGE(single ? "" : single.error().message, single.ok());
        CPPUNIT_ASSERT_EQUAL(
            std::size_t { 1 }, (*single)->signatures_for(Address("a", "example.com")).size());
        auto dual = load(base + "multiple_signatures = yes\n");
        auto sigs = (*dual)->signatures_for(Address("a", "example.com"));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, sigs.size());
        CPPUNIT_ASSERT_EQUAL(std::string("e2024"), sigs[1].selector);
        CPPUNIT_ASSERT_EQUAL(std::string("@example.com"), sigs[1].identity);
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), sigs[2].domain); // "%" = the From domain
        auto other = (*dual)->signatures_for(Address("a", "other.example"));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, other.size());
        CPPUNIT_ASSERT_EQUAL(std::string("other.example"), other[0].domain);
    }

    void inconsistent_tables_are_refused_with_file_and_line()
    {
        write("kt", "rsa example.com:r2024:" + rsa_ + "\n");
        write("st", "*@example.com rsa\n*@example.net nokey\n");
        auto k = load("[dkim]\nkey_table = file:" + dir_ + "/kt\nsigning_table = refile:" + dir_ + "/st\n");
        CPPUNIT_ASSERT(!k.ok());
        CPPUNIT_ASSERT_MESSAGE(
            k.error().message, k.error().message.find(dir_ + "/st:2: key \"nokey\"") != std::string::npos);

        write("kt2", "rsa example.com:r2024:" + dir_ + "/absent.pem\n");
        write("st2", "*@example.com rsa\n");
        k = load("[dkim]\nkey_table = " + dir_ + "/kt2\nsigning_table = refile:" + dir_ + "/st2\n");
        CPPUNIT_ASSERT(!k.ok());
        CPPUNIT_ASSERT_MESSAGE(
            k.error().message, k.error().message.find(dir_ + "/kt2:1: key \"rsa\"") != std::string::npos);

        ::chmod(rsa_.c_str(), 0644);
        k = load("[dkim]\ndomain = example.com\nselector = s\nkey_file = " + rsa_ + "\n");
        CPPUNIT_ASSERT(!k.ok());
        CPPUNIT_ASSERT_MESSAGE(k.error().message, k.error().message.find("by others") != std::string::npos);
    }

    void missing_or_mixed_setups_are_refused()
    {
        CPPUNIT_ASSERT(!load("").ok());
        CPPUNIT_ASSERT(!load("[dkim]\ndomain = example.com\n").ok());
        CPPUNIT_ASSERT(!load("[dkim]\ndomain = example.com\nselector = s\nkey_file = " + rsa_
            + "\nkey_table = /x\nsigning_table = /y\n")
                            .ok());
        CPPUNIT_ASSERT(!load("[dkim]\nkey_table = /x\n").ok());
        CPPUNIT_ASSERT(!load(
            "[dkim]\ndomain = example.com\nselector = s\nkey_file = " + rsa_ + "\nsecond_selector = e\n")
                            .ok());
    }

    void identity_must_fit_the_domain()
    {
        CPPUNIT_ASSERT(identity_fits("@example.com", "example.com"));
        CPPUNIT_ASSERT(identity_fits("user@mail.example.com", "example.com"));
        CPPUNIT_ASSERT(!identity_fits("user@example.org", "example.com"));
        CPPUNIT_ASSERT(!identity_fits("user@badexample.com", "example.com"));
        CPPUNIT_ASSERT(!identity_fits("no-at-sign", "example.com"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(KeyringTest);
