// Per-key rate-limit overrides and reset requests kept in the shared SQLite
// file, in two tables of their own: `sendsentry limit set|reset` writes them,
// sendsentry-policyd polls them every second. Kept apart from store/ because
// store.hh has no such records (its LimiterState is the limiter's own state).
#pragma once

#include "core/result.hh"
#include "policy/rate_limit.hh"
#include "store/sqlite_handle.hh"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sendsentry::policy {

// An override table larger than this is a mistake (or an attack through the
// CLI); the daemon reads it whole every second.
inline constexpr std::int64_t max_override_rows = 100000;

class LimitOverrideStore {
public:
    // Opens PATH (created when missing) and creates the two tables if needed.
    [[nodiscard]] static Result<LimitOverrideStore> open(
        const std::string& path, std::int64_t busy_timeout_ms);

    // Every override: key -> windows (both kinds).
    [[nodiscard]] Result<std::unordered_map<std::string, std::vector<Limit>>> load();
    // Replaces KEY's windows of the kinds present in LIMITS.
    [[nodiscard]] Status set(std::string_view key, const std::vector<Limit>& limits, std::int64_t now);
    // Removes every override of KEY; false when there was none.
    [[nodiscard]] Result<bool> clear(std::string_view key);

    // Asks the daemon to forget KEY's rate state.
    [[nodiscard]] Status request_reset(std::string_view key, std::int64_t now);
    // Reset requests with an id above AFTER, oldest first: (id, key).
    [[nodiscard]] Result<std::vector<std::pair<std::int64_t, std::string>>> resets_after(std::int64_t after);
    // Forgets reset requests made before BEFORE (the daemon saw them).
    [[nodiscard]] Status forget_resets(std::int64_t before);

private:
    LimitOverrideStore() = default;
    store::Database db_; // declared first: destroyed after the statements
    // Prepared once at open (STYLE.md section 7).
    store::Statement load_, delete_kind_, insert_, clear_, insert_reset_, resets_after_, forget_resets_;
};

} // namespace sendsentry::policy
