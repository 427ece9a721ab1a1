// Tests for dkim/private_key: loading checks (permissions, strength, type),
// inline data, DNS records, and the libopendkim token.
#include "dkim/key_generator.hh"
#include "dkim/private_key.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

namespace {

std::string write_pem(const std::string& dir, const std::string& name, EVP_PKEY* k, mode_t mode)
{
    std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    ::chmod(path.c_str(), mode);
    EVP_PKEY_free(k);
    return path;
}

} // namespace

class PrivateKeyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PrivateKeyTest);
    CPPUNIT_TEST(rsa_and_ed25519_keys_load_with_their_algorithm);
    CPPUNIT_TEST(keys_others_can_read_are_refused);
    CPPUNIT_TEST(weak_rsa_keys_are_refused_or_warned);
    CPPUNIT_TEST(other_key_types_are_refused);
    CPPUNIT_TEST(inline_base64_der_equals_the_file);
    CPPUNIT_TEST(dns_records_carry_the_public_key);
    CPPUNIT_TEST(base64_round_trips_and_rejects_garbage);
    CPPUNIT_TEST_SUITE_END();

    std::string dir_;

public:
    void setUp() override
    {
        char tmpl[] = "/tmp/sendsentry-keytest.XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void tearDown() override { std::filesystem::remove_all(dir_); }

    void rsa_and_ed25519_keys_load_with_their_algorithm()
    {
        auto rsa
            = write_pem(dir_, "rsa.pem", EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t { 2048 }), 0600);
        auto ed = write_pem(dir_, "ed.pem", EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), 0640);
        std::vector<std::string> warnings;
        auto r = PrivateKey::load_file(rsa, {}, &warnings);
        CPPUNIT_ASSERT_MESSAGE(r ? "" : r.error().message, r.ok());
        CPPUNIT_ASSERT((*r)->algorithm() == KeyAlgorithm::rsa_sha256);
        CPPUNIT_ASSERT_EQUAL(2048, (*r)->bits());
        auto e = PrivateKey::load_file(ed, {}, &warnings);
        CPPUNIT_ASSERT_MESSAGE(e ? "" : e.error().message, e.ok());
        CPPUNIT_ASSERT((*e)->algorithm() == KeyAlgorithm::ed25519_sha256);
        CPPUNIT_ASSERT(warnings.empty());
        // The token never looks like PEM, so libopendkim sends it to d2i.
        std::string token(reinterpret_cast<const char*>((*r)->libopendkim_key()));
        CPPUNIT_ASSERT(token.rfind("sendsentry-key:", 0) == 0);
        CPPUNIT_ASSERT(token != std::string(reinterpret_cast<const char*>((*e)->libopendkim_key())));
    }

    void keys_others_can_read_are_refused()
    {
        for (mode_t mode : { 0644, 0602, 0604 }) {
            auto p = write_pem(
                dir_, "k" + std::to_string(mode), EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), mode);
            auto k = PrivateKey::load_file(p, {}, nullptr);
            CPPUNIT_ASSERT_MESSAGE(std::to_string(mode), !k.ok());
            CPPUNIT_ASSERT_MESSAGE(
                k.error().message, k.error().message.find("by others") != std::string::npos);
        }
        CPPUNIT_ASSERT(!PrivateKey::load_file(dir_ + "/missing.pem", {}, nullptr).ok());
        CPPUNIT_ASSERT(!PrivateKey::load_file(dir_, {}, nullptr).ok()); // a directory
    }

    void weak_rsa_keys_are_refused_or_warned()
    {
        auto k1024
            = write_pem(dir_, "1024.pem", EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t { 1024 }), 0600);
        auto k768
            = write_pem(dir_, "768.pem", EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t { 768 }), 0600);
        std::vector<std::string> warnings;
        CPPUNIT_ASSERT(PrivateKey::load_file(k1024, {}, &warnings).ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, warnings.size());
        CPPUNIT_ASSERT(warnings[0].find("1024 bits") != std::string::npos);
        auto weak = PrivateKey::load_file(k768, {}, nullptr);
        CPPUNIT_ASSERT(!weak.ok());
        CPPUNIT_ASSERT(weak.error().message.find("too weak") != std::string::npos);
        KeyLimits strict { 2048, 2048 };
        CPPUNIT_ASSERT(!PrivateKey::load_file(k1024, strict, nullptr).ok());
    }

    void other_key_types_are_refused()
    {
        auto ec = write_pem(dir_, "ec.pem", EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), 0600);
        auto k = PrivateKey::load_file(ec, {}, nullptr);
        CPPUNIT_ASSERT(!k.ok());
        CPPUNIT_ASSERT_MESSAGE(
            k.error().message, k.error().message.find("cannot sign DKIM") != std::string::npos);
        std::ofstream(dir_ + "/junk.pem") << "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        ::chmod((dir_ + "/junk.pem").c_str(), 0600);
        CPPUNIT_ASSERT(!PrivateKey::load_file(dir_ + "/junk.pem", {}, nullptr).ok());
        CPPUNIT_ASSERT(!PrivateKey::from_data("not a key at all", "inline", {}, nullptr).ok());
    }

    void inline_base64_der_equals_the_file()
    {
        auto gen = generate_key(KeyAlgorithm::ed25519_sha256, 0);
        CPPUNIT_ASSERT(gen.ok());
        // PEM body lines are base64 DER: OpenDKIM's inline form.
        std::string pem = (*gen)->pem(), b64;
        for (std::size_t i = pem.find('\n') + 1; i < pem.find("-----END"); ++i)
            if (pem[i] != '\n')
                b64 += pem[i];
        auto inl = PrivateKey::from_data(b64, "kt:1", {}, nullptr);
        CPPUNIT_ASSERT_MESSAGE(inl ? "" : inl.error().message, inl.ok());
        CPPUNIT_ASSERT_EQUAL((*gen)->dns_record(), (*inl)->dns_record());
    }

    void dns_records_carry_the_public_key()
    {
        auto ed = generate_key(KeyAlgorithm::ed25519_sha256, 0);
        std::string rec = (*ed)->dns_record();
        CPPUNIT_ASSERT(rec.rfind("v=DKIM1; k=ed25519; p=", 0) == 0);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 44 }, rec.size() - rec.find("p=") - 2); // 32 bytes in base64
        auto rsa = generate_key(KeyAlgorithm::rsa_sha256, 2048);
        rec = (*rsa)->dns_record();
        CPPUNIT_ASSERT(rec.rfind("v=DKIM1; k=rsa; p=MIIBIjAN", 0) == 0); // SubjectPublicKeyInfo, 2048 bits
    }

    void base64_round_trips_and_rejects_garbage()
    {
        for (std::string s : { std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                 std::string("\0\xff\x10", 3) }) {
            if (s.empty())
                continue;
            auto d = base64_decode(base64_encode(s));
            CPPUNIT_ASSERT(d.ok());
            CPPUNIT_ASSERT_EQUAL(s, *d);
        }
        CPPUNIT_ASSERT(!base64_decode("ab$d").ok());
        CPPUNIT_ASSERT(!base64_decode("abc").ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PrivateKeyTest);
