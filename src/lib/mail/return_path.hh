// The return path: a VERP-style bounce address bounces+TOKEN@bounces.<sender
// domain> whose HMAC-protected token names the original envelope sender and
// message. The milter makes it (smfi_chgfrom); sendsentry-bounce reads it to
// attribute a bounce exactly, even one whose body cannot be read.
#pragma once

#include "core/address.hh"
#include "core/config.hh"
#include "core/result.hh"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

// RFC 5321 4.5.3.1.1: a local part holds at most 64 octets.
inline constexpr std::size_t max_local_part = 64;
// RFC 1035 2.3.4 / RFC 5321 4.5.3.1.2: a domain name holds at most 255 octets.
inline constexpr std::size_t max_domain = 255;
// HMAC-SHA256 truncated to 80 bits: a forger must guess 2^80 values online.
inline constexpr std::size_t mac_bytes = 10;
// A shorter secret is a typo, not a key (`openssl rand -hex 32` gives 64).
inline constexpr std::size_t min_secret_bytes = 16;
// Rotation needs two or three; more is a mistake we refuse to loop over.
inline constexpr std::size_t max_secrets = 16;
// The key file: a few lines of secrets.
inline constexpr std::size_t max_key_file_bytes = 64 * 1024;
// Prefix length bound: leaves room for the fixed token (version, time,
// message tag, MAC: 20 bytes = 32 base32 characters) within 64 octets.
inline constexpr std::size_t max_prefix = 24;

// The secrets: the first signs, every one verifies (key rotation).
class ReturnPathKeys {
public:
    // Secrets one per line; blank lines and '#' comments skipped. Refuses a
    // file that is not regular, readable or writable by others, too large,
    // empty, or with a secret shorter than min_secret_bytes.
    [[nodiscard]] static Result<ReturnPathKeys> load(const std::string& path);
    [[nodiscard]] static Result<ReturnPathKeys> from_secrets(std::vector<std::string> secrets);

    const std::vector<std::string>& secrets() const noexcept { return secrets_; }

private:
    std::vector<std::string> secrets_;
};

struct ReturnPathSettings {
    std::string prefix = "bounces"; // local part before the '+'
    std::string label = "bounces"; // subdomain label in front of the sender domain
    std::int64_t max_age = 30 * 86400; // seconds a token stays valid
    std::int64_t max_clock_skew = 300; // seconds a token may be signed in the future

    // From [return_path]; an error names the bad key.
    [[nodiscard]] static Result<ReturnPathSettings> from_config(const config::Config& cfg);
};

// What a valid token says.
struct ReturnPath {
    std::string sender_domain; // the original envelope sender's domain (A-label, lower case)
    std::string sender_local; // its local part, "" when it did not fit in the token
    std::string message_tag; // 10 hex digits: message_tag() of the queue id
    std::int64_t signed_at = 0; // Unix time

    // "local@domain", or "@domain" when the local part did not fit.
    std::string sender() const { return sender_local + "@" + sender_domain; }
};

// 10 hex digits (40 bits of SHA-256) naming a message, e.g. its queue id:
// logged by the milter at rewrite and by sendsentry-bounce when a bounce comes home.
std::string message_tag(std::string_view message_id);

// The bounce address for mail from SENDER (not null) with message id
// MESSAGE_ID, signed at NOW with the first key. Fails when the sender domain
// is too long for the subdomain.
[[nodiscard]] Result<std::string> make_return_path(const ReturnPathKeys& keys,
    const ReturnPathSettings& settings, const Address& sender, std::string_view message_id, std::int64_t now);

enum class TokenStatus {
    valid,
    not_a_token, // not of the form PREFIX+TOKEN@...: not ours, use other clues
    malformed, // our form, but not a token we could have made (bad encoding, truncated, wrong domain)
    forged, // well-formed, but no key's MAC matches
    expired, // genuine but older than max_age (or signed in the future)
};

const char* to_string(TokenStatus status) noexcept;

struct TokenReading {
    TokenStatus status = TokenStatus::not_a_token;
    ReturnPath path; // set when valid
    std::string detail; // why it was refused, for the log
    bool valid() const noexcept { return status == TokenStatus::valid; }
};

// Whether ADDRESS has the form PREFIX+...@...: worth loading keys to read.
bool has_token_form(const ReturnPathSettings& settings, std::string_view address) noexcept;

// Reads ADDRESS ("<...>" allowed). The MAC is compared in constant time
// (CRYPTO_memcmp) against every key. Never throws on bad input.
TokenReading read_return_path(const ReturnPathKeys& keys, const ReturnPathSettings& settings,
    std::string_view address, std::int64_t now);

} // namespace sendsentry::mail
