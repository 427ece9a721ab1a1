// Every key this milter signs with, loaded once, and the rule choosing the
// keys for a message's author: either the simple setup ([dkim] domain,
// selector, key_file, optional second key for dual signing) or OpenDKIM's
// KeyTable + SigningTable. Built at start and on SIGHUP; immutable after.
#pragma once

#include "core/address.hh"
#include "core/config.hh"
#include "core/result.hh"
#include "dkim/key_table.hh"
#include "dkim/signer.hh"
#include "dkim/signing_table.hh"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sendsentry::dkim {

class Keyring {
public:
    // Loads the keys and tables the configuration names. WARNINGS receives
    // weak keys and unused table entries. Fails, naming file and line, on an
    // inconsistent table pair, an unreadable, unsafe or weak key, or when no
    // key is configured at all.
    [[nodiscard]] static Result<std::shared_ptr<const Keyring>> load(
        const config::Config& cfg, std::vector<std::string>* warnings);

    // The simple setup, without a config file (tests, keygen checks).
    [[nodiscard]] static Result<std::shared_ptr<const Keyring>> simple(
        std::string domain, std::vector<std::pair<std::string, std::shared_ptr<const PrivateKey>>> selectors);

    // The signatures for mail whose header From is AUTHOR; empty when no
    // rule covers the author's domain.
    std::vector<SignatureRequest> signatures_for(const Address& author) const;

    // "simple domain=example.com keys=2" or "tables keys=3 rules=5 refile".
    std::string describe() const;

private:
    Keyring() = default;
    std::vector<SignatureRequest> simple_signatures(const Address& author) const;
    std::vector<SignatureRequest> table_signatures(const Address& author) const;

    // Simple setup.
    std::string domain_;
    std::vector<std::pair<std::string, std::shared_ptr<const PrivateKey>>> simple_keys_;
    // Tables.
    std::optional<KeyTable> key_table_;
    std::optional<SigningTable> signing_table_;
    std::map<std::string, std::shared_ptr<const PrivateKey>, std::less<>> table_keys_;
    bool multiple_ = false;
};

// RFC 6376 3.5 i=: the identity's domain must be d= or a subdomain of it;
// OpenDKIM drops a conflicting i= rather than sign something unverifiable.
bool identity_fits(std::string_view identity, std::string_view domain) noexcept;

} // namespace sendsentry::dkim
