// The policy daemon's decisions: for each policy request, the checks of the
// issue in order — approved sender, suspended sender, suppressed recipient,
// rate limits — against the store, and the counting of each message once.
// Rate-limit state, blocked-send events and sent counters are kept in memory
// and written to the store in one transaction per persist_interval
// (write-behind). Used by sendsentry-policyd; tested against a real SQLite
// store.
#pragma once

#include "core/log.hh"
#include "core/result.hh"
#include "policy/policy_codec.hh"
#include "policy/policy_settings.hh"
#include "policy/rate_limit.hh"
#include "store/store.hh"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace sendsentry::policy {

// What one connection remembers between requests: Postfix sends every
// request of one SMTP transaction on the connection of its smtpd process,
// all with the same `instance`.
struct Session {
    std::string instance;
    // The request values every check needs, normalised once. Postfix sends
    // the same sender, login and client with every request of a transaction
    // (and often of the next) but a client need not: all are derived again
    // when one of the raw values differs from those they came from, or when
    // the settings (the limit key sources) were reloaded since.
    struct Derived {
        std::uint64_t generation = 0; // PolicyEngine's settings generation; 0: empty
        std::string raw_sender, raw_sasl, raw_client; // as the request gave them
        std::string sender; // normalized_sender
        std::string sender_domain; // sender_domain_of
        std::optional<std::string> limit_key; // derive_limit_key
    } derived;
    std::int64_t accepted_recipients = 0; // recipients we answered DUNNO for
    bool counted = false; // the message was counted (once per instance)
    // The sender checks (approval, suspension) are the same for every
    // recipient of a transaction, so they run at its first RCPT.
    bool sender_checked = false;
    std::optional<std::string> sender_refusal; // the reply when the sender may not send
    std::string_view sender_refusal_why; // "sender_suspended" or "not_approved"
};

struct Answer {
    bool close = false; // could not tell, configured "close": no reply at all
    std::string action; // the action text, e.g. "DUNNO" (when !close)
};

// Named bounds on what waits in memory for the next write-behind flush: this
// many events about recipients and as many about senders (each counting any
// number of refusals). Beyond it a refusal is logged and counted in the
// events_dropped warning, but not stored.
inline constexpr std::size_t max_pending_events = 10000;
// Sender rows (approval, suspension) are cached this long: the same bound
// as for suppression changes, which are looked up on every RCPT.
inline constexpr TimeUs sender_cache_ttl = us_per_second;
inline constexpr std::size_t max_sender_cache = 100000;

// The prefix of this module's rows in the store's limiter_state table:
// "gcra|KIND|WINDOW_SECONDS|KEY", level = TAT in microseconds (exact in a
// double up to 2^53 us, i.e. until the year 2255).
inline constexpr std::string_view limiter_row_prefix = "gcra|";
std::string limiter_row_key(std::string_view key, const WindowState& window);
// The rate key and window of a limiter row, or nullopt for foreign rows.
std::optional<std::pair<std::string, WindowState>> parse_limiter_row(const store::LimiterState& row);

// Sent and blocked counts not yet written: (subject, name, bucket) -> count.
using PendingCounters = std::map<std::tuple<std::string, std::string, store::Time>, std::int64_t>;
// Refusals about the sender not yet written, one event per reason, sender,
// login and rate-limit key: its fields are the first refusal's, its count
// how many there were.
using PendingRefusals = std::unordered_map<std::string, store::Event>;

// What a refusal is about: a recipient (suppressed) is stored one event each;
// the sender (rate limit, suspension, approval) repeats for every RCPT and
// message of a flood, so its refusals share an event until the next batch.
enum class RefusalOf { recipient, sender };

// One write-behind transaction's worth of data, taken from the engine in the
// event loop and written by whoever owns a store connection (the daemon's
// writer thread, so that fsync never stalls the loop). The engine hands its
// containers over whole; turning them into rows is the writer's work.
struct PersistBatch {
    DirtyWindows windows;
    std::deque<store::Event> events;
    PendingRefusals refusals;
    PendingCounters counters;
    std::optional<store::Time> forget_before; // drop limiter rows last updated before this
    TimeUs taken_at = 0;

    bool empty() const noexcept
    {
        return windows.empty() && events.empty() && refusals.empty() && counters.empty() && !forget_before;
    }
    // Frees the contents (the writer does, after a write that succeeded).
    void clear() noexcept
    {
        windows.clear();
        events.clear();
        refusals.clear();
        counters.clear();
    }
};

// Writes BATCH in one transaction of STORE.
[[nodiscard]] Status write_batch(store::Store& store, const PersistBatch& batch);

class PolicyEngine {
public:
    PolicyEngine(store::Store& store, PolicySettings settings);

    // SIGHUP: new settings; rate state and store overrides stay.
    void reconfigure(PolicySettings settings);
    // Overrides from `sendsentry limit set` (replace the config file's for
    // the same key and kind).
    void set_store_overrides(std::unordered_map<std::string, std::vector<Limit>> overrides);

    Answer handle(const PolicyRequest& request, Session& session, TimeUs now);

    // Start-up: the persisted rate-limit state.
    [[nodiscard]] Status load_state();
    // Write-behind: dirty rate state, pending events and counters in one
    // transaction. On failure nothing is lost from memory; the next flush
    // tries again.
    // (take_batch + write_batch + batch_done, on this engine's store.)
    [[nodiscard]] Status flush(TimeUs now);
    // The pieces of flush() for a writer running elsewhere: take what is
    // pending (clears it here), and afterwards report how the write went; a
    // failed batch is taken back so that nothing is lost.
    PersistBatch take_batch(TimeUs now);
    void batch_done(PersistBatch batch, const Status& written, TimeUs now);
    bool flush_due(TimeUs now) const noexcept { return now - last_flush_ >= settings_.persist_interval; }
    std::size_t pending_writes() const noexcept;

    // `sendsentry limit reset`: forget KEY's state (persisted at next flush).
    void reset_key(const std::string& key) { limiter_.reset(key); }
    const RateLimiter& limiter() const noexcept { return limiter_; }
    const PolicySettings& settings() const noexcept { return settings_; }

private:
    Answer rcpt(const PolicyRequest& request, Session& session, TimeUs now);
    Answer count(const PolicyRequest& request, Session& session, TimeUs now);
    // Fills session.derived from REQUEST unless it already holds its values.
    void derive(const PolicyRequest& request, Session& session) const;
    // Approval and suspension of the sender; sets session.sender_refusal.
    [[nodiscard]] Status check_sender(const PolicyRequest& request, Session& session, TimeUs now);
    // get_sender through a short cache: approval and suspension changes made
    // by the CLI or the reputation guard apply within sender_cache_ttl.
    Result<std::optional<store::Sender>> lookup_sender(const std::string& key, TimeUs now);
    // The loggers (a queue id copied) are made only for these two: the
    // answers that pass log nothing.
    Answer could_not_tell(const Error& error, const PolicyRequest& request);
    Answer refuse(std::string action, std::string_view why, RefusalOf of, const PolicyRequest& request,
        const Session& session, std::string_view recipient, std::string_view scope, TimeUs now);
    // Counts NAME once for each counter subject of the session's sender.
    void count_for_sender(
        const PolicyRequest& request, const Session& session, std::string_view name, TimeUs now);
    void apply_overrides();

    store::Store& store_;
    PolicySettings settings_;
    RateLimiter limiter_;
    std::unordered_map<std::string, std::vector<Limit>> store_overrides_;
    std::unordered_map<std::string, std::pair<TimeUs, std::optional<store::Sender>>> sender_cache_;
    std::deque<store::Event> events_;
    PendingRefusals refusals_;
    PendingCounters counters_;
    std::int64_t dropped_events_ = 0;
    TimeUs last_flush_ = 0;
    TimeUs last_forget_ = 0;
    TimeUs last_expire_ = 0;
    std::uint64_t generation_ = 1; // counts reconfigure(); see Session::Derived
};

} // namespace sendsentry::policy
