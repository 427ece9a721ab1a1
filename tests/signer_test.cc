// Tests for dkim/signer: signatures carry the configured tags and header
// list, line endings do not change the body hash, dual signing gives two
// signatures. Whether the signatures verify is checked by independent
// verifiers in tests/milter_sign.sh.
#include "dkim/key_generator.hh"
#include "dkim/signer.hh"

#include <algorithm>
#include <cppunit/extensions/HelperMacros.h>
#include <map>

using namespace sendsentry;
using namespace sendsentry::dkim;

namespace {

// Tag map of a DKIM-Signature value (whitespace removed, RFC 6376 3.2).
std::map<std::string, std::string> tags(const std::string& value)
{
    std::string flat;
    for (char c : value)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            flat += c;
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < flat.size()) {
        auto semi = flat.find(';', pos);
        std::string item = flat.substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
        auto eq = item.find('=');
        if (eq != std::string::npos)
            out[item.substr(0, eq)] = item.substr(eq + 1);
        if (semi == std::string::npos)
            break;
        pos = semi + 1;
    }
    return out;
}

std::vector<std::string> split_h(const std::string& h)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : h + ":") {
        if (c == ':') {
            std::string l;
            for (char x : cur)
                l += static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
            out.push_back(l);
            cur.clear();
        } else {
            cur += c;
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct Header {
    const char* name;
    const char* value;
};

const std::vector<Header> message_headers = {
    { "Received", " from client by relay; Mon, 1 Jan 2024 00:00:00 +0000" },
    { "From", " Alice <alice@example.com>" },
    { "To", " bob@example.org" },
    { "Cc", " carol@example.org" },
    { "Subject", " hello\n\tfolded subject" },
    { "Date", " Mon, 1 Jan 2024 00:00:00 +0000" },
    { "Message-ID", " <1@example.com>" },
    { "X-Mailer", " test" },
};

Result<std::vector<std::string>> sign(std::shared_ptr<const DkimLibrary> lib,
    std::vector<SignatureRequest> reqs, const std::vector<std::string>& body_chunks)
{
    auto s = MessageSigner::start(std::move(lib), std::move(reqs), "TESTQID");
    if (!s)
        return s.error();
    for (const Header& h : message_headers)
        if (auto r = (*s)->header(h.name, h.value, true); !r)
            return r.error();
    if (auto r = (*s)->end_of_headers(); !r)
        return r.error();
    for (const std::string& c : body_chunks)
        if (auto r = (*s)->body(c); !r)
            return r.error();
    return (*s)->finish();
}

} // namespace

// libopendkim 2.11.0~beta2 never drops its reference to an Ed25519 key, so
// under LeakSanitizer the fixture's Ed25519 key shows as a leak (its 64-byte
// per-signature buffer is freed by dkim/message_arena). Suppressed here, in
// the test binary only. libcrypto is built without frame pointers, so ASan's
// fast unwinder stops inside it and the key's allocation cannot be matched
// by our frame: the whole of libcrypto is suppressed, which could hide a
// leaked OpenSSL object elsewhere in the unit tests.
extern "C" const char* __lsan_default_suppressions() { return "leak:SignerTest::setUp\nleak:libcrypto.so\n"; }

class SignerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SignerTest);
    CPPUNIT_TEST(rsa_signature_has_configured_tags_and_headers);
    CPPUNIT_TEST(ed25519_and_dual_signing);
    CPPUNIT_TEST(bare_lf_body_hashes_like_crlf_body);
    CPPUNIT_TEST(empty_and_unterminated_bodies_sign);
    CPPUNIT_TEST(canonicalization_names_parse);
    CPPUNIT_TEST_SUITE_END();

    std::shared_ptr<const DkimLibrary> lib_;
    std::shared_ptr<const PrivateKey> rsa_;
    std::shared_ptr<const PrivateKey> ed_;

public:
    void setUp() override
    {
        auto policy = HeaderPolicy::make(default_sign_headers, default_oversign_headers);
        lib_ = *DkimLibrary::create(*policy, Canonicalization {});
        static std::shared_ptr<const PrivateKey> rsa = *generate_key(KeyAlgorithm::rsa_sha256, 2048);
        static std::shared_ptr<const PrivateKey> ed = *generate_key(KeyAlgorithm::ed25519_sha256, 0);
        rsa_ = rsa;
        ed_ = ed;
    }

    void rsa_signature_has_configured_tags_and_headers()
    {
        auto sigs = sign(lib_, { { "example.com", "sel1", "", rsa_ } }, { "Hello\r\n" });
        CPPUNIT_ASSERT_MESSAGE(sigs ? "" : sigs.error().message, sigs.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, sigs->size());
        const std::string& v = (*sigs)[0];
        CPPUNIT_ASSERT_MESSAGE("milter header values have no CR", v.find('\r') == std::string::npos);
        auto t = tags(v);
        CPPUNIT_ASSERT_EQUAL(std::string("rsa-sha256"), t["a"]);
        CPPUNIT_ASSERT_EQUAL(std::string("relaxed/relaxed"), t["c"]);
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), t["d"]);
        CPPUNIT_ASSERT_EQUAL(std::string("sel1"), t["s"]);
        CPPUNIT_ASSERT_MESSAGE("no l= (RFC 6376 8.2)", !t.contains("l"));
        std::vector<std::string> present;
        for (const Header& h : message_headers)
            present.push_back(h.name);
        auto want = lib_->headers().expected_h(present);
        auto got = split_h(t["h"]);
        std::string got_text;
        for (auto& g : got)
            got_text += g + " ";
        CPPUNIT_ASSERT_MESSAGE("h= was " + got_text, got == want);
    }

    void ed25519_and_dual_signing()
    {
        auto sigs = sign(
            lib_, { { "example.com", "rsa1", "", rsa_ }, { "example.com", "ed1", "", ed_ } }, { "body\r\n" });
        CPPUNIT_ASSERT_MESSAGE(sigs ? "" : sigs.error().message, sigs.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, sigs->size());
        auto a = tags((*sigs)[0]), b = tags((*sigs)[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("rsa-sha256"), a["a"]);
        CPPUNIT_ASSERT_EQUAL(std::string("ed25519-sha256"), b["a"]);
        CPPUNIT_ASSERT_EQUAL(std::string("ed1"), b["s"]);
        CPPUNIT_ASSERT_EQUAL(a["bh"], b["bh"]);
        CPPUNIT_ASSERT_EQUAL(std::size_t { 88 }, b["b"].size()); // 64-byte Ed25519 signature
    }

    void bare_lf_body_hashes_like_crlf_body()
    {
        auto crlf = sign(lib_, { { "example.com", "s", "", ed_ } }, { "line 1\r\nline 2\r\n\r\nend\r\n" });
        auto lf = sign(lib_, { { "example.com", "s", "", ed_ } }, { "line 1\nline 2\n", "\nend\n" });
        auto split_cr
            = sign(lib_, { { "example.com", "s", "", ed_ } }, { "line 1\r", "\nline 2\r\n\r\nend\r\n" });
        CPPUNIT_ASSERT(crlf.ok() && lf.ok() && split_cr.ok());
        CPPUNIT_ASSERT_EQUAL(tags((*crlf)[0])["bh"], tags((*lf)[0])["bh"]);
        CPPUNIT_ASSERT_EQUAL(tags((*crlf)[0])["bh"], tags((*split_cr)[0])["bh"]);
    }

    void empty_and_unterminated_bodies_sign()
    {
        auto empty = sign(lib_, { { "example.com", "s", "", rsa_ } }, {});
        CPPUNIT_ASSERT_MESSAGE(empty ? "" : empty.error().message, empty.ok());
        // RFC 6376 3.4.4: the relaxed hash of an empty body is SHA-256("").
        CPPUNIT_ASSERT_EQUAL(
            std::string("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), tags((*empty)[0])["bh"]);
        auto open = sign(lib_, { { "example.com", "s", "", rsa_ } }, { "no newline at end" });
        auto closed = sign(lib_, { { "example.com", "s", "", rsa_ } }, { "no newline at end\r\n" });
        CPPUNIT_ASSERT_MESSAGE(open ? "" : open.error().message, open.ok());
        CPPUNIT_ASSERT_EQUAL(tags((*closed)[0])["bh"], tags((*open)[0])["bh"]);
    }

    void canonicalization_names_parse()
    {
        auto c = Canonicalization::parse("simple/relaxed");
        CPPUNIT_ASSERT(c.ok() && !c->relaxed_header && c->relaxed_body);
        c = Canonicalization::parse("relaxed");
        CPPUNIT_ASSERT(c.ok() && c->relaxed_header && !c->relaxed_body);
        CPPUNIT_ASSERT(!Canonicalization::parse("loose/relaxed").ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SignerTest);
