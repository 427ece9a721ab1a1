// Rate-limit arithmetic: several windows per key (messages and recipients,
// per minute, hour, day), each a GCRA, with an injected clock. Used by the
// policy daemon's decision logic and by `sendsentry limit show`.
//
// Semantics of a limit "N per W" (the same for messages and recipients):
//   - emission interval T = W / N, rounded up to the microsecond;
//   - from rest, N units may pass at once (a burst of N); after that one more
//     unit becomes available every T, continuously — there is no window edge
//     at which the whole budget comes back at once;
//   - so in any span of length t, at most N + floor(t / T) units pass, and a
//     sender who sends steadily gets exactly N per W;
//   - a request of cost c (c recipients, or 1 message) passes only whole:
//     either all c units are taken or none;
//   - a refused request consumes nothing, and its verdict says when the same
//     request would pass (the recovery time): the moment enough of the
//     budget has refilled, i.e. after the budget for c units is back;
//   - a request of cost c > N can never pass (reported as `never`);
//   - with several windows a request passes only if every window allows it,
//     and then it is taken from every window; the recovery time is the latest
//     of the windows that refused.
// The state of one window is its theoretical arrival time (TAT): the time at
// which the bucket would be empty again. TAT <= now means "at rest".
#pragma once

#include "core/result.hh"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sendsentry::policy {

// Microseconds since the Unix epoch; the clock is always passed in.
using TimeUs = std::int64_t;
inline constexpr TimeUs us_per_second = 1000000;

enum class LimitKind { messages, recipients };
const char* to_string(LimitKind kind) noexcept;
[[nodiscard]] Result<LimitKind> parse_limit_kind(std::string_view text);

// Named bounds of a limit, so that the arithmetic below never overflows:
// 10^9 units and a year are far beyond any sending policy.
inline constexpr std::int64_t max_limit_count = 1000000000;
inline constexpr std::int64_t max_limit_window_seconds = 366 * 86400;

struct Limit {
    LimitKind kind = LimitKind::messages;
    std::int64_t count = 0; // N
    std::int64_t window_seconds = 0; // W

    TimeUs interval() const noexcept; // T = ceil(W / N)
    TimeUs burst() const noexcept; // N * T: how far ahead of now the TAT may run
    friend bool operator==(const Limit&, const Limit&) = default;
};

// "100/1h", "5/30s", "10000/1d": COUNT/DURATION with the config file's units.
[[nodiscard]] Result<Limit> parse_limit(LimitKind kind, std::string_view text);
// "100/1h": the inverse of parse_limit, with the largest whole unit.
std::string format_limit(const Limit& limit);
// "1h", "90s", "2d".
std::string format_seconds(std::int64_t seconds);

// What one request would take: 1 message and its recipients, or only the
// recipients seen so far at RCPT time.
struct Usage {
    std::int64_t messages = 0;
    std::int64_t recipients = 0;
};

struct RateVerdict {
    bool allowed = true;
    Limit limit; // when refused: the limit that refused (latest recovery)
    bool never = false; // when refused: the cost exceeds the limit itself
    TimeUs retry_at = 0; // when refused and !never: when the request would pass
};

// The state of one window of one key, as persisted.
struct WindowState {
    LimitKind kind = LimitKind::messages;
    std::int64_t window_seconds = 0;
    TimeUs tat = 0;
    friend bool operator==(const WindowState&, const WindowState&) = default;
};

// GCRA on one window: whether COST fits at NOW given the window's TAT, the
// TAT after taking it, and otherwise when it would fit. Exposed for the tests
// of the arithmetic itself.
struct GcraStep {
    bool allowed = false;
    bool never = false; // COST is larger than the limit's count
    TimeUs new_tat = 0; // the TAT if taken
    TimeUs retry_at = 0; // when not allowed (and not never): the earliest time it fits
};
GcraStep gcra_step(const Limit& limit, TimeUs tat, TimeUs now, std::int64_t cost) noexcept;

// The keys changed since the last write-behind batch, each with its windows
// as they were at its latest change. A reset key holds its configured windows
// at rest, so that a restart does not bring the old state back.
using DirtyWindows = std::unordered_map<std::string, std::vector<WindowState>>;

// Every key's windows. Limits are resolved per key: an override for (key,
// kind) replaces the default windows of that kind. Not thread-safe: the
// daemon is one thread.
class RateLimiter {
public:
    // The default windows for every key, and per-key overrides (config and
    // store merged by the caller; see set_overrides).
    void set_defaults(std::vector<Limit> limits)
    {
        defaults_ = std::move(limits);
        resolve_overrides();
    }
    void set_overrides(std::unordered_map<std::string, std::vector<Limit>> overrides)
    {
        overrides_ = std::move(overrides);
        resolve_overrides();
    }
    const std::vector<Limit>& defaults() const noexcept { return defaults_; }

    // The windows that apply to KEY, of both kinds (resolved when the limits
    // are set, not per request). Valid until the next set_defaults or
    // set_overrides.
    const std::vector<Limit>& limits_for(const std::string& key) const;

    // Whether USAGE would pass now; changes nothing.
    RateVerdict check(const std::string& key, Usage usage, TimeUs now) const;
    // Takes USAGE from every window of KEY. Call only after check() allowed
    // it at the same NOW (the daemon is single-threaded, so nothing ran in
    // between); marks the key dirty for write-behind.
    void commit(const std::string& key, Usage usage, TimeUs now);

    // Write-behind: the keys changed since the last call, handed over whole
    // (constant time: the event loop never copies a batch).
    DirtyWindows take_dirty() { return std::exchange(dirty_, {}); }
    std::size_t dirty_count() const noexcept { return dirty_.size(); }
    // Puts back what a failed write held for KEY, unless KEY changed since.
    void mark_dirty(const std::string& key, std::vector<WindowState> windows)
    {
        dirty_.try_emplace(key, std::move(windows));
    }
    // Loading persisted state at start-up (overwrites, not dirty).
    void restore(const std::string& key, std::vector<WindowState> windows);
    // The stored windows of KEY (empty when at rest or unknown).
    std::vector<WindowState> state_of(const std::string& key) const;
    // Forgets KEY's state (`sendsentry limit reset`): every window it has or
    // is configured with is at rest and marked dirty, to be written so.
    void reset(const std::string& key);
    // Drops keys whose every window is at rest and which are not dirty; the
    // memory then holds only recently active senders. Returns how many.
    std::size_t expire(TimeUs now);
    std::size_t size() const noexcept { return state_.size(); }

private:
    // resolved_: each override key's windows, the defaults of a kind its
    // override leaves alone included.
    void resolve_overrides();

    std::vector<Limit> defaults_;
    std::unordered_map<std::string, std::vector<Limit>> overrides_;
    std::unordered_map<std::string, std::vector<Limit>> resolved_;
    std::unordered_map<std::string, std::vector<WindowState>> state_;
    DirtyWindows dirty_;
};

} // namespace sendsentry::policy
