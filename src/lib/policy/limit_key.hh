// Which sender a request belongs to, for rate limits, approval and suspension:
// the SASL user, the envelope sender, the sender domain or the client
// address, normalised so that case and address spelling cannot split one
// sender into many keys. Used by the policy decision logic and the CLI.
#pragma once

#include "core/result.hh"
#include "policy/policy_codec.hh"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::policy {

enum class KeySource { sasl_username, sender, sender_domain, client_address };

const char* to_string(KeySource source) noexcept;
// "sasl_username", "sender", "sender_domain", "client_address".
[[nodiscard]] Result<KeySource> parse_key_source(std::string_view text);
[[nodiscard]] Result<std::vector<KeySource>> parse_key_sources(const std::vector<std::string>& words);

// A key longer than this is cut: a SASL name or an address is far shorter
// (RFC 5321 4.5.3.1: 256-octet paths), and each key costs memory per sender.
inline constexpr std::size_t max_key_length = 512;

// The key of one source, or nullopt when the request lacks it (no SASL login,
// null sender "<>"). Keys carry their source as a prefix so that the same
// text from two sources never collides: "sasl:alice", "sender:a@example.com",
// "domain:example.com", "client:192.0.2.1", "client:2001:db8::1".
std::optional<std::string> derive_key(KeySource source, const PolicyRequest& request);

// The first source in SOURCES that yields a key ("sasl_username sender":
// the login when there is one, else the envelope sender), or nullopt.
std::optional<std::string> derive_limit_key(std::span<const KeySource> sources, const PolicyRequest& request);

// The normalised envelope sender ("" for the null sender) and its domain
// ("" when there is none); the suppression scope and the approval lookups
// use these.
std::string normalized_sender(std::string_view sender);
std::string sender_domain_of(std::string_view sender);
// The recipient as the store keeps suppressions (core/address normal form),
// or the raw text lower-cased when it does not parse.
std::string normalized_recipient(std::string_view recipient);

} // namespace sendsentry::policy
