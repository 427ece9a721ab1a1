// Tests for dkim/key_generator: sizes, safe file creation, zone lines.
#include "dkim/key_generator.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <filesystem>
#include <sys/stat.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class KeyGeneratorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(KeyGeneratorTest);
    CPPUNIT_TEST(keys_are_written_owner_only_and_never_overwritten);
    CPPUNIT_TEST(rsa_sizes_outside_the_range_are_refused);
    CPPUNIT_TEST(zone_line_splits_long_records);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;

public:
    void setUp() override
    {
        char tmpl[] = "/tmp/sendsentry-keygen.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void tearDown() override { std::filesystem::remove_all(dir_); }

    void keys_are_written_owner_only_and_never_overwritten()
    {
        auto k = generate_key(KeyAlgorithm::ed25519_sha256, 0);
        CPPUNIT_ASSERT(k.ok());
        std::string path = dir_ + "/mail.private";
        mode_t old = ::umask(0);
        auto w = write_private_key(path, **k);
        ::umask(old);
        CPPUNIT_ASSERT_MESSAGE(w ? "" : w.error().message, w.ok());
        struct stat st { };
        CPPUNIT_ASSERT_EQUAL(0, ::stat(path.c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0600, static_cast<int>(st.st_mode & 07777));
        auto back = PrivateKey::load_file(path, {}, nullptr);
        CPPUNIT_ASSERT(back.ok());
        CPPUNIT_ASSERT_EQUAL((*k)->dns_record(), (*back)->dns_record());
        CPPUNIT_ASSERT(!write_private_key(path, **k).ok());
    }

    void rsa_sizes_outside_the_range_are_refused()
    {
        CPPUNIT_ASSERT(!generate_key(KeyAlgorithm::rsa_sha256, 1024).ok());
        CPPUNIT_ASSERT(!generate_key(KeyAlgorithm::rsa_sha256, 8192).ok());
    }

    void zone_line_splits_long_records()
    {
        auto k = generate_key(KeyAlgorithm::rsa_sha256, 4096);
        CPPUNIT_ASSERT(k.ok());
        std::string line = dns_zone_line("s2024", "example.com", **k);
        CPPUNIT_ASSERT(line.rfind("s2024._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=", 0) == 0);
        std::string joined;
        std::size_t pos = 0;
        while ((pos = line.find('"', pos)) != std::string::npos) {
            auto end = line.find('"', pos + 1);
            CPPUNIT_ASSERT(end - pos - 1 <= 255);
            joined += line.substr(pos + 1, end - pos - 1);
            pos = end + 1;
        }
        CPPUNIT_ASSERT_EQUAL((*k)->dns_record(), joined);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(KeyGeneratorTest);
