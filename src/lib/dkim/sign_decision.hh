// Whether a message is ours to sign, and why (logged with every message):
// mail from SASL-authenticated clients, from configured internal networks or
// from configured {daemon_name} services; never mail relayed in from
// outside. Pure: the milter passes what the MTA told it.
#pragma once

#include "core/config.hh"
#include "core/result.hh"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

// An address block such as 10.0.0.0/8 or 2001:db8::/32.
class Network {
public:
    [[nodiscard]] static Result<Network> parse(std::string_view cidr);
    bool contains(std::string_view address) const noexcept;
    const std::string& text() const noexcept { return text_; }

private:
    std::array<std::uint8_t, 16> bytes_ {};
    int family_ = 0; // AF_INET or AF_INET6
    int prefix_ = 0;
    std::string text_;
};

// What the MTA said about the client (milter macros and connect data).
struct ClientFacts {
    std::string auth_authen; // {auth_authen}: SASL login name
    std::string auth_type; // {auth_type}: SASL mechanism
    std::string client_address; // connect address, text form; empty if unknown
    std::string daemon_name; // {daemon_name}
};

struct SignDecision {
    bool sign = false;
    std::string reason; // "authenticated user=alice", "internal network 10.0.0.0/8", ...
};

class SignPolicy {
public:
    SignPolicy(bool sign_authenticated, std::vector<Network> internal, std::vector<std::string> daemons)
        : sign_authenticated_(sign_authenticated)
        , internal_(std::move(internal))
        , daemons_(std::move(daemons))
    {
    }

    // From [milter] sign_authenticated, internal_networks, sign_daemons.
    [[nodiscard]] static Result<SignPolicy> from_config(const config::Config& cfg);

    SignDecision decide(const ClientFacts& facts) const;

private:
    bool sign_authenticated_ = true;
    std::vector<Network> internal_;
    std::vector<std::string> daemons_;
};

} // namespace sendsentry::dkim
