// The outbound authentication check the milter runs at end of message: SPF
// of each public sending address, the header From, DMARC alignment with the
// DKIM domains we sign with, our Authentication-Results header, the action
// from config and an SMTP reply that says what to fix. Also behind
// `sendsentry spf` / `sendsentry dmarc` (same code, same DNS layer).
#pragma once

#include "auth/auth_results.hh"
#include "auth/dmarc.hh"
#include "auth/header_from.hh"
#include "auth/org_domain.hh"
#include "auth/resolver.hh"
#include "auth/spf.hh"
#include "core/config.hh"
#include "core/log.hh"
#include "core/result.hh"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sendsentry::auth {

enum class Action { accept, tag, tempfail, reject };
const char* to_string(Action action) noexcept;
std::optional<Action> parse_action(std::string_view word) noexcept;

struct OutboundSettings {
    std::vector<std::string> outbound_ips; // as receivers see us
    std::string authserv_id;
    Action action = Action::tag;
    std::map<std::string, Action, std::less<>> domain_actions; // lower-case sender domain
    ResolverOptions resolver;
    std::chrono::milliseconds time_limit { 10000 };
    std::string public_suffix_list; // empty: libpsl's default
};

// Reads [spf] and [dmarc]; errors name the key and the bad value.
[[nodiscard]] Result<OutboundSettings> outbound_settings(const config::Config& cfg);

struct OutboundCheck {
    std::string mail_from; // envelope sender, "" for <>
    std::string helo; // our HELO name: the SPF identity for <>
    std::vector<std::string> header_from_fields; // every From field value
    std::vector<DkimSigned> dkim; // signatures the milter applied
};

struct OutboundVerdict {
    SpfResult spf = SpfResult::none; // over every outbound address: pass only if all pass
    std::vector<std::pair<std::string, SpfVerdict>> spf_by_ip;
    std::optional<HeaderFrom> from;
    std::string from_error; // why the From field is unusable
    std::optional<DmarcVerdict> dmarc;

    bool problem = false; // SPF fails or DMARC would fail: the configured action applies
    bool could_not_tell = false; // a temperror decided it
    Action action = Action::accept; // what the milter should do
    std::string authentication_results; // field value for our header
    std::string smtp_code; // "550" / "451" for reject / tempfail
    std::string smtp_xcode; // "5.7.1" / "4.7.1"
    std::string reply_text; // what is wrong and how to fix it
    // Action tag: the value of an "X-Sendsentry-Warning" header to add (the
    // reply text); empty otherwise. Our Authentication-Results header is
    // added to every message, whatever the action.
    std::string warning_header;

    // One log line, "ID: auth-check spf=... dmarc=... action=...".
    void log(const log::Logger& logger) const;
};

class OutboundChecker {
public:
    // Builds the resolver and loads the Public Suffix List.
    [[nodiscard]] static Result<std::unique_ptr<OutboundChecker>> create(OutboundSettings settings);

    OutboundChecker(std::unique_ptr<Resolver> resolver, OrgDomains orgs, OutboundSettings settings);
    OutboundChecker(const OutboundChecker&) = delete; // dmarc_ refers to orgs_
    OutboundChecker& operator=(const OutboundChecker&) = delete;

    // Everything within settings.time_limit. Thread-safe.
    OutboundVerdict check(const OutboundCheck& message) const;

    // The parts, for `sendsentry spf` and `sendsentry dmarc`.
    const SpfChecker& spf() const noexcept { return spf_; }
    const DmarcChecker& dmarc() const noexcept { return dmarc_; }
    const OutboundSettings& settings() const noexcept { return settings_; }
    Resolver& resolver() noexcept { return *resolver_; }

private:
    Action action_for(std::string_view domain) const;
    void decide(OutboundVerdict& v, std::string_view sender_domain) const;

    std::unique_ptr<Resolver> resolver_;
    OrgDomains orgs_;
    OutboundSettings settings_;
    SpfChecker spf_;
    DmarcChecker dmarc_;
};

} // namespace sendsentry::auth
