// The policy daemon's validated settings, built once from the [policyd]
// section (and rebuilt on SIGHUP): key sources, limits, overrides, reply
// templates. Used by the policy engine and `sendsentry limit show`.
#pragma once

#include "core/result.hh"
#include "policy/limit_key.hh"
#include "policy/rate_limit.hh"

#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sendsentry::config {
class Config;
}

namespace sendsentry::policy {

// What to answer when the store cannot tell (locked past its timeout,
// corrupt): never REJECT, so nothing is lost.
enum class CouldNotTell { close, dunno, defer_if_permit };

// The protocol state at which a message is counted once.
enum class CountAt { end_of_message, data };

// A reply such as "550 5.1.1 Recipient <{recipient}> is suppressed" with
// {name} placeholders filled in at answer time.
class ReplyTemplate {
public:
    ReplyTemplate() = default;
    // Checks that TEXT starts with a Postfix action that refuses or defers
    // (a 4xx/5xx code, DEFER_IF_PERMIT, DEFER or REJECT) and names only
    // placeholders from ALLOWED.
    [[nodiscard]] static Result<ReplyTemplate> parse(
        std::string_view text, std::initializer_list<std::string_view> allowed);

    // The text with every {name} replaced by its value from VALUES.
    std::string expand(std::initializer_list<std::pair<std::string_view, std::string_view>> values) const;
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

struct PolicySettings {
    std::vector<KeySource> key_sources { KeySource::sasl_username, KeySource::sender };
    std::vector<Limit> limits; // messages and recipients windows for every key
    std::unordered_map<std::string, std::vector<Limit>> overrides; // from the config file
    CountAt count_at = CountAt::end_of_message;
    CouldNotTell could_not_tell = CouldNotTell::close;
    bool approved_senders_only = false;
    TimeUs persist_interval = us_per_second;

    ReplyTemplate over_limit;
    ReplyTemplate not_approved;
    ReplyTemplate suspended;
    ReplyTemplate hard_bounce;
    ReplyTemplate complaint;
    ReplyTemplate unsubscribe;
    ReplyTemplate soft_bounce;
    ReplyTemplate manual;
};

// Reads [policyd]; the error lists every bad value, one per line.
[[nodiscard]] Result<PolicySettings> settings_from(const config::Config& config);

// "KEY:KIND:COUNT/WINDOW" (limit_overrides items, `sendsentry limit set`).
struct LimitOverride {
    std::string key;
    Limit limit;
};
[[nodiscard]] Result<LimitOverride> parse_override(std::string_view text);

} // namespace sendsentry::policy
