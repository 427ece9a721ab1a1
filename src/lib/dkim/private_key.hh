// A DKIM private key, decoded once when loaded (a PEM decode with OpenSSL 3
// costs as much as an RSA-2048 signature, more for Ed25519), checked for
// permissions and strength, and handed to libopendkim by token so that
// libopendkim does not decode it again for every message. Used by the keyring
// and the signer; the key generator builds DNS records with it.
#pragma once

#include "core/result.hh"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace sendsentry::dkim {

enum class KeyAlgorithm { rsa_sha256, ed25519_sha256 };

const char* to_string(KeyAlgorithm a) noexcept; // "rsa-sha256", "ed25519-sha256"

struct KeyLimits {
    int min_rsa_bits = 1024; // refused below
    int warn_rsa_bits = 2048; // a warning below
};

class PrivateKey {
public:
    ~PrivateKey();
    PrivateKey(const PrivateKey&) = delete;
    PrivateKey& operator=(const PrivateKey&) = delete;

    // Reads a PEM (or DER) file. Refuses a file that others may read or
    // write, that is not a regular file, or that holds a key other than
    // RSA >= limits.min_rsa_bits or Ed25519. WARNINGS receives soft problems.
    [[nodiscard]] static Result<std::shared_ptr<const PrivateKey>> load_file(
        const std::string& path, const KeyLimits& limits, std::vector<std::string>* warnings);

    // Decodes key data given inline: PEM text or base64 DER (OpenDKIM's
    // KeyTable allows both). LABEL names it in messages.
    [[nodiscard]] static Result<std::shared_ptr<const PrivateKey>> from_data(std::string_view data,
        std::string_view label, const KeyLimits& limits, std::vector<std::string>* warnings);

    KeyAlgorithm algorithm() const noexcept { return algorithm_; }
    int bits() const noexcept { return bits_; }
    const std::string& label() const noexcept { return label_; }

    // What to give dkim_sign() as the key: a token our d2i_PrivateKey_bio
    // shim resolves to this already-decoded key.
    const unsigned char* libopendkim_key() const noexcept
    {
        return reinterpret_cast<const unsigned char*>(token_.c_str());
    }

    // The public half as published in DNS (RFC 6376 3.6.1, RFC 8463 4):
    // "v=DKIM1; k=rsa; p=..." or "v=DKIM1; k=ed25519; p=...".
    std::string dns_record() const;

    // A PEM "PRIVATE KEY" (PKCS#8) encoding, for the key generator.
    std::string pem() const;

    evp_pkey_st* get() const noexcept { return pkey_; }

    // Takes ownership of PKEY (generated or decoded elsewhere).
    [[nodiscard]] static Result<std::shared_ptr<const PrivateKey>> adopt(evp_pkey_st* pkey,
        std::string_view label, const KeyLimits& limits, std::vector<std::string>* warnings);

private:
    PrivateKey() = default;

    evp_pkey_st* pkey_ = nullptr;
    KeyAlgorithm algorithm_ = KeyAlgorithm::rsa_sha256;
    int bits_ = 0;
    std::string label_;
    std::string token_;
};

// Decodes base64 (RFC 4648, whitespace ignored); an error for anything else.
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

} // namespace sendsentry::dkim
