// Envelope addresses (RFC 5321 section 4.1.2): parse, validate and normalise.
// The domain is lower-cased and IDN domains become A-labels; the local part is
// kept exactly as written (only the receiving host may interpret it).
#pragma once

#include "core/result.hh"

#include <string>
#include <string_view>

namespace sendsentry {

class Address {
public:
    // The null reverse-path "<>".
    Address() = default;
    Address(std::string local, std::string domain)
        : local_(std::move(local))
        , domain_(std::move(domain))
    {
    }

    bool is_null() const noexcept { return domain_.empty(); }
    const std::string& local() const noexcept { return local_; }
    const std::string& domain() const noexcept { return domain_; }

    // "local@domain", or "" for the null address.
    std::string str() const;

    friend bool operator==(const Address&, const Address&) = default;

private:
    std::string local_;
    std::string domain_;
};

// Accepts "user@example.com", "<user@example.com>", "<>" (when allow_null),
// quoted local parts and U-label domains; drops a source route
// ("<@a,@b:user@example.com>", RFC 5321 4.1.2 obsolete syntax).
[[nodiscard]] Result<Address> parse_address(std::string_view text, bool allow_null = false);

// Lower-cased A-label form of DOMAIN, or an error for an invalid name.
[[nodiscard]] Result<std::string> normalize_domain(std::string_view domain);

} // namespace sendsentry
