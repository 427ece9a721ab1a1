// Key decoding, checks, and the registry behind libopendkim's key argument.
//
// libopendkim 2.11.0~beta2 (dkim.c, dkim_privkey_load) decodes the key bytes
// given to dkim_sign() for every DKIM handle: PEM_read_bio_PrivateKey() when
// they start with "-----", d2i_PrivateKey_bio() otherwise. Measured here that
// decode costs 0.65 ms (RSA-2048) and 0.88 ms (Ed25519) per message, against
// 0.95 ms and 0.08 ms for the signature itself. libopendkim has no API to
// pass a decoded key, so we pass a token ("sendsentry-key:N") and define
// d2i_PrivateKey_bio here: the program's definition takes precedence over
// libcrypto's for libopendkim's call (ELF symbol interposition). The shim
// returns a new reference to the registered EVP_PKEY for a token and calls
// libcrypto's own function (dlsym RTLD_NEXT) for anything else.
#include "dkim/private_key.hh"

#include <atomic>
#include <cctype>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/secret_file.hh"

namespace sendsentry::dkim {
namespace {

    constexpr std::string_view token_prefix = "sendsentry-key:";
    // A private key file is a few KB; anything much larger is not a key.
    constexpr std::size_t max_key_file = 64 * 1024;

    struct BioFree {
        void operator()(BIO* b) const noexcept { BIO_free(b); }
    };
    using BioPtr = std::unique_ptr<BIO, BioFree>;
    struct PkeyFree {
        void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
    };
    using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

    // Registered keys by token number. Entries live as long as their
    // PrivateKey; a DKIM handle holds a shared_ptr to its key until freed.
    struct Registry {
        std::mutex mutex;
        std::map<unsigned long, EVP_PKEY*> keys;
        std::atomic<unsigned long> next { 1 };
    };
    Registry& registry()
    {
        static Registry* r = new Registry; // never destroyed: used until exit
        return *r;
    }

    std::string openssl_error()
    {
        unsigned long e = ERR_get_error();
        ERR_clear_error();
        if (e == 0)
            return "no detail from OpenSSL";
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        return buf;
    }

    Result<PkeyPtr> decode(std::string_view data, std::string_view label)
    {
        ERR_clear_error();
        std::string der;
        bool pem = data.find("-----BEGIN") != std::string_view::npos;
        if (!pem) {
            // Binary DER, or base64 DER as OpenDKIM's KeyTable allows inline.
            auto decoded = base64_decode(data);
            der = decoded ? *decoded : std::string(data);
        }
        std::string_view bytes = pem ? data : std::string_view(der);
        BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        if (!bio)
            return make_error(ErrorKind::internal, "out of memory");
        EVP_PKEY* k = nullptr;
        if (pem) {
            k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
        } else {
            const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
            k = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(bytes.size()));
        }
        if (!k)
            return make_error(ErrorKind::invalid,
                std::string(label) + ": not a private key in PEM or DER form (" + openssl_error() + ")");
        return PkeyPtr(k);
    }

} // namespace

const char* to_string(KeyAlgorithm a) noexcept
{
    return a == KeyAlgorithm::ed25519_sha256 ? "ed25519-sha256" : "rsa-sha256";
}

PrivateKey::~PrivateKey()
{
    if (!token_.empty()) {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        r.keys.erase(std::stoul(token_.substr(token_prefix.size())));
    }
    EVP_PKEY_free(pkey_);
}

Result<std::shared_ptr<const PrivateKey>> PrivateKey::adopt(
    EVP_PKEY* raw, std::string_view label, const KeyLimits& limits, std::vector<std::string>* warnings)
{
    PkeyPtr pkey(raw);
    std::shared_ptr<PrivateKey> key(new PrivateKey);
    key->label_ = std::string(label);
    switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
        key->algorithm_ = KeyAlgorithm::rsa_sha256;
        key->bits_ = EVP_PKEY_get_bits(pkey.get());
        // RFC 8301 3.2: signers MUST use at least 1024 bits, SHOULD use 2048.
        if (key->bits_ < limits.min_rsa_bits)
            return make_error(ErrorKind::invalid,
                std::string(label) + ": RSA key of " + std::to_string(key->bits_)
                    + " bits is too weak (minimum " + std::to_string(limits.min_rsa_bits) + ")");
        if (key->bits_ < limits.warn_rsa_bits && warnings)
            warnings->push_back(std::string(label) + ": RSA key of " + std::to_string(key->bits_)
                + " bits; 2048 or more is recommended (RFC 8301)");
        break;
    case EVP_PKEY_ED25519:
        key->algorithm_ = KeyAlgorithm::ed25519_sha256;
        key->bits_ = 256;
        break;
    default:
        return make_error(ErrorKind::invalid,
            std::string(label) + ": key type " + OBJ_nid2sn(EVP_PKEY_get_base_id(pkey.get()))
                + " cannot sign DKIM (use RSA or Ed25519)");
    }
    if (key->algorithm_ == KeyAlgorithm::rsa_sha256) {
        // libopendkim asks for the legacy RSA object; OpenSSL caches it in
        // the EVP_PKEY on first use, so make that first use happen here,
        // single-threaded, rather than in two signing threads at once.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations" // the legacy object is what libopendkim uses
        RSA* rsa = EVP_PKEY_get1_RSA(pkey.get());
        if (!rsa)
            return make_error(ErrorKind::internal, std::string(label) + ": " + openssl_error());
        RSA_free(rsa);
#pragma GCC diagnostic pop
    }
    key->pkey_ = pkey.release();
    Registry& r = registry();
    unsigned long id = r.next++;
    key->token_ = std::string(token_prefix) + std::to_string(id);
    {
        std::lock_guard lock(r.mutex);
        r.keys[id] = key->pkey_;
    }
    return std::shared_ptr<const PrivateKey>(std::move(key));
}

Result<std::shared_ptr<const PrivateKey>> PrivateKey::load_file(
    const std::string& path, const KeyLimits& limits, std::vector<std::string>* warnings)
{
    auto data = read_secret_file(path, max_key_file);
    if (!data)
        return data.error();
    auto pkey = decode(*data, path);
    OPENSSL_cleanse(data->data(), data->size());
    if (!pkey)
        return pkey.error();
    return adopt(pkey->release(), path, limits, warnings);
}

Result<std::shared_ptr<const PrivateKey>> PrivateKey::from_data(std::string_view data, std::string_view label,
    const KeyLimits& limits, std::vector<std::string>* warnings)
{
    auto pkey = decode(data, label);
    if (!pkey)
        return pkey.error();
    return adopt(pkey->release(), label, limits, warnings);
}

std::string PrivateKey::dns_record() const
{
    std::string raw;
    if (algorithm_ == KeyAlgorithm::ed25519_sha256) {
        // RFC 8463 4.2: p= is the raw 32-byte public key.
        std::size_t len = 0;
        EVP_PKEY_get_raw_public_key(pkey_, nullptr, &len);
        raw.resize(len);
        EVP_PKEY_get_raw_public_key(pkey_, reinterpret_cast<unsigned char*>(raw.data()), &len);
        return "v=DKIM1; k=ed25519; p=" + base64_encode(raw);
    }
    // RFC 6376 3.6.1: p= is the DER SubjectPublicKeyInfo.
    int len = i2d_PUBKEY(pkey_, nullptr);
    raw.resize(static_cast<std::size_t>(len > 0 ? len : 0));
    unsigned char* p = reinterpret_cast<unsigned char*>(raw.data());
    i2d_PUBKEY(pkey_, &p);
    return "v=DKIM1; k=rsa; p=" + base64_encode(raw);
}

std::string PrivateKey::pem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr))
        return {};
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    std::string out(data, static_cast<std::size_t>(len));
    return out;
}

std::string base64_encode(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Result<std::string> base64_decode(std::string_view text)
{
    std::string clean;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
            return make_error(ErrorKind::invalid, "not base64");
        clean += c;
    }
    if (clean.empty() || clean.size() % 4 != 0)
        return make_error(ErrorKind::invalid, "not base64");
    std::string out(clean.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
    if (n < 0)
        return make_error(ErrorKind::invalid, "not base64");
    std::size_t pad = clean.size() - clean.find_last_not_of('=') - 1;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

} // namespace sendsentry::dkim

// The interposed libcrypto function (see the top of this file). extern "C"
// and default visibility so the linker exports it to libopendkim.
extern "C" __attribute__((visibility("default"))) EVP_PKEY* d2i_PrivateKey_bio(BIO* bio, EVP_PKEY** out)
{
    using namespace sendsentry::dkim;
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string_view bytes(data ? data : "", len > 0 ? static_cast<std::size_t>(len) : 0);
    if (bytes.starts_with(token_prefix)) {
        unsigned long id = 0;
        for (char c : bytes.substr(token_prefix.size())) {
            if (c < '0' || c > '9')
                break;
            id = id * 10 + static_cast<unsigned long>(c - '0');
        }
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        auto it = r.keys.find(id);
        if (it == r.keys.end() || !EVP_PKEY_up_ref(it->second))
            return nullptr;
        if (out)
            *out = it->second;
        return it->second;
    }
    using Fn = EVP_PKEY* (*)(BIO*, EVP_PKEY**);
    static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "d2i_PrivateKey_bio"));
    return real ? real(bio, out) : nullptr;
}
