// New DKIM keys for `sendsentry keygen`: generate RSA or Ed25519, write the
// private key with owner-only permissions, and format the DNS TXT record to
// publish (RFC 6376 3.6.2.2, RFC 8463).
#pragma once

#include "core/result.hh"
#include "dkim/private_key.hh"

#include <memory>
#include <string>
#include <string_view>

namespace sendsentry::dkim {

// RSA sizes we generate: below 2048 is discouraged (RFC 8301), above 4096
// does not fit comfortably in DNS and slows every signature.
inline constexpr int min_generated_rsa_bits = 2048;
inline constexpr int max_generated_rsa_bits = 4096;

[[nodiscard]] Result<std::shared_ptr<const PrivateKey>> generate_key(KeyAlgorithm algorithm, int rsa_bits);

// Writes PEM to PATH, created new (never overwrites) with mode 0600.
[[nodiscard]] Status write_private_key(const std::string& path, const PrivateKey& key);

// "SELECTOR._domainkey.DOMAIN. IN TXT ( "..." "..." )": the record split in
// strings of at most 255 bytes (RFC 1035 3.3.14 character-string limit).
std::string dns_zone_line(std::string_view selector, std::string_view domain, const PrivateKey& key);

} // namespace sendsentry::dkim
