// The store interface every program uses: suppression list, event log,
// idempotency keys, quarantine, counters, senders and rate-limit state.
// Programs see only Store and Transaction; SQLite (sqlite_store.hh) is one
// implementation, and a shared backend for several relays is another one
// to add behind open() without touching the programs (ARCHITECTURE.md).
//
// Conventions:
// - Times are Unix seconds (UTC). Callers pass "now"; nothing here reads a clock.
// - Addresses are stored as core/address normalises them (domain lower-cased,
//   A-labels); suppression lookups compare the address ASCII case-insensitively
//   (see sqlite_schema.cc for why). Scopes are "" (global) or a normalised
//   sender domain. store/suppression_rules.hh does the normalising.
// - Lookups return Result<std::optional<T>>: a value (found), std::nullopt
//   (not found), or an Error: ErrorKind::temporary = could not tell (locked,
//   busy, disk full: retry later), ErrorKind::corrupt = damaged database.
// - A Store is one connection: use it from one thread at a time; open one per
//   thread or process. Writes happen only inside a Transaction.
#pragma once

#include "core/result.hh"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::config {
class Config;
}

namespace sendsentry::store {

using Time = std::int64_t; // Unix seconds

// ---- Suppression list

enum class Reason { hard_bounce, complaint, soft_bounce, unsubscribe, manual };

std::string_view to_string(Reason reason) noexcept;
// "hard_bounce", ... ; also accepts SES's "BOUNCE"/"COMPLAINT" (any case).
[[nodiscard]] Result<Reason> parse_reason(std::string_view text);

struct Suppression {
    std::string address; // normalised recipient
    std::string scope; // "" = every sender; else the sender domain
    Reason reason = Reason::manual;
    std::string source; // who added it: "bounce", "cli", "import", "policyd"
    std::string detail; // e.g. DSN "5.1.1 user unknown", ARF feedback type
    Time first_seen = 0;
    Time last_seen = 0;
    std::int64_t hits = 1; // sightings: bounces, complaints, re-adds
    std::optional<Time> expires; // none = forever; an entry at/after expiry is ignored
    std::string note; // operator's free text

    bool active_at(Time now) const noexcept { return !expires || *expires > now; }
};

struct SuppressionFilter {
    std::optional<Reason> reason;
    std::optional<std::string> scope; // exact scope; "" = global only
    std::optional<Time> since; // last_seen >= since
    std::string pattern; // shell glob on the address ("*@example.com"); "" = all
    bool include_expired = false;
    std::optional<Time> now; // needed unless include_expired
    std::int64_t limit = -1; // -1 = no limit
    std::int64_t offset = 0;
};

struct SuppressionStats {
    std::int64_t total = 0; // every row, expired included
    std::int64_t active = 0; // rows not expired at "now"
    std::int64_t expired = 0;
    std::int64_t scoped = 0; // active rows with a sender-domain scope
    std::vector<std::pair<Reason, std::int64_t>> by_reason; // active rows
};

// ---- Event log ("every change and every blocked send")

enum class EventKind {
    suppression_added,
    suppression_updated,
    suppression_removed,
    hard_bounce,
    soft_bounce,
    complaint,
    unsubscribe,
    suppression_imported, // one per import batch: "N entries"
    blocked_send, // policyd refused a suppressed recipient, or a sender's mail (count: how often)
    quarantined, // an unparseable bounce was kept whole
    state_change, // sender state ok/warning/suspended changed
    delivered, // reserved for delivery reports
};

std::string_view to_string(EventKind kind) noexcept;
[[nodiscard]] Result<EventKind> parse_event_kind(std::string_view text);

struct Event {
    std::int64_t id = 0; // assigned by the store
    Time at = 0;
    EventKind kind = EventKind::suppression_added;
    std::string recipient; // the address concerned, or ""
    std::string sender; // envelope sender or sender domain, or ""
    std::string scope; // suppression scope, when it applies
    std::string detail; // reason, DSN status, old->new state, ...
    std::string source; // program: "bounce", "policyd", "cli"
    std::string message_key; // queue id or Message-ID, when known
    std::int64_t count = 1; // how many occurrences this event stands for
};

struct EventFilter {
    std::optional<EventKind> kind;
    std::string recipient; // "" = any
    std::string sender; // "" = any
    std::optional<Time> since;
    std::optional<Time> until; // at < until
    std::int64_t limit = 100; // newest first
    std::int64_t offset = 0;
};

// ---- Quarantine (bounces the parser could not read, kept whole)

// The largest message the store keeps; the bounce program's own input limit
// should be at or below this.
inline constexpr std::size_t max_quarantine_bytes = 16 * 1024 * 1024;

struct QuarantinedMessage {
    std::int64_t id = 0; // assigned
    Time at = 0;
    std::string message_key;
    std::string reason; // why it could not be read
    std::string content;
};

// ---- Per-subject counters, summed per time bucket

struct Counter {
    std::string subject; // e.g. sender domain or sender address
    std::string name; // "sent", "bounced", "complained", "blocked"
    Time bucket = 0; // start of the bucket (caller chooses the width)
    std::int64_t value = 0;
};

// ---- Senders: approved list and reputation state

enum class SenderState { ok, warning, suspended };

std::string_view to_string(SenderState state) noexcept;
[[nodiscard]] Result<SenderState> parse_sender_state(std::string_view text);

struct Sender {
    std::string key; // "user@example.com" or "example.com"
    bool approved = false;
    SenderState state = SenderState::ok;
    Time state_since = 0;
    std::string state_reason;
    std::string note;
};

// ---- Rate-limiter state, saved and loaded in batches by policyd

struct LimiterState {
    std::string key; // limiter name and subject, e.g. "per_sender:user@example.com"
    double level = 0; // tokens left or count in the window (limiter's choice)
    Time updated = 0; // when LEVEL was true (or the window start)
};

// ---- Writes

// One write transaction (BEGIN IMMEDIATE in SQLite: the write lock is taken at
// begin, so a busy database fails there, before any work). Nothing is visible
// to others until commit(); destroying an uncommitted Transaction rolls back.
class Transaction {
public:
    virtual ~Transaction() = default;

    [[nodiscard]] virtual Status commit() = 0;

    // Suppression rows, exact (address, scope), expired ones included.
    [[nodiscard]] virtual Result<std::optional<Suppression>> get_suppression(
        std::string_view address, std::string_view scope)
        = 0;
    // Inserts or replaces the row of (address, scope).
    [[nodiscard]] virtual Status put_suppression(const Suppression& entry) = 0;
    // Inserts ENTRY, or overwrites the row of (address, scope) with it except
    // first_seen, which keeps the earlier value. One statement: the bulk path.
    [[nodiscard]] virtual Status upsert_suppression(const Suppression& entry) = 0;
    // true when a row was removed.
    [[nodiscard]] virtual Result<bool> remove_suppression(std::string_view address, std::string_view scope)
        = 0;
    // Removes rows whose expiry is at or before NOW; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> purge_expired(Time now) = 0;

    // Appends EVENT (its id is ignored); returns the new id.
    [[nodiscard]] virtual Result<std::int64_t> add_event(const Event& event) = 0;
    // Occurrences (the sum of counts) of KIND for RECIPIENT with at >= SINCE
    // (soft-bounce counting).
    [[nodiscard]] virtual Result<std::int64_t> count_events(
        EventKind kind, std::string_view recipient, Time since)
        = 0;

    // Idempotency: records KEY as processed at NOW. false when KEY was already
    // recorded (the caller must then do nothing else and commit or drop).
    [[nodiscard]] virtual Result<bool> mark_processed(std::string_view key, Time now) = 0;
    // Forgets processed keys recorded before BEFORE; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> forget_processed(Time before) = 0;

    [[nodiscard]] virtual Result<std::int64_t> quarantine(const QuarantinedMessage& message) = 0;

    // Adds DELTA to the counter (subject, name, bucket), creating it at 0.
    [[nodiscard]] virtual Status add_counter(
        std::string_view subject, std::string_view name, Time bucket, std::int64_t delta)
        = 0;

    [[nodiscard]] virtual Status put_sender(const Sender& sender) = 0;
    [[nodiscard]] virtual Result<bool> remove_sender(std::string_view key) = 0;

    // Replaces the rows of these keys (others untouched).
    [[nodiscard]] virtual Status save_limiter_states(const std::vector<LimiterState>& states) = 0;
    // Drops limiter rows last updated before BEFORE; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> forget_limiter_states(Time before) = 0;
};

// ---- The store

class Store {
public:
    virtual ~Store() = default;

    // Starts a write transaction. ErrorKind::temporary when the database stays
    // locked past the busy timeout.
    [[nodiscard]] virtual Result<std::unique_ptr<Transaction>> begin() = 0;

    // The hot path of policyd (every RCPT): the unexpired suppression that
    // blocks mail to ADDRESS from SENDER_DOMAIN: a global entry, else one
    // scoped to SENDER_DOMAIN ("" checks global only).
    [[nodiscard]] virtual Result<std::optional<Suppression>> find_suppression(
        std::string_view address, std::string_view sender_domain, Time now)
        = 0;

    // Every unexpired entry of ADDRESS, whatever its scope, the global one
    // first (`sendsentry suppress check` without a sender).
    [[nodiscard]] virtual Result<std::vector<Suppression>> suppressions_of(std::string_view address, Time now)
        = 0;

    // Rows matching FILTER, ordered by address then scope, streamed to VISIT
    // (export of a million rows needs no vector). VISIT returning an error
    // stops the walk and is returned.
    [[nodiscard]] virtual Status each_suppression(
        const SuppressionFilter& filter, const std::function<Status(const Suppression&)>& visit)
        = 0;
    [[nodiscard]] virtual Result<std::int64_t> count_suppressions(const SuppressionFilter& filter) = 0;
    [[nodiscard]] virtual Result<SuppressionStats> suppression_stats(Time now) = 0;

    [[nodiscard]] virtual Result<std::vector<Event>> list_events(const EventFilter& filter) = 0;

    [[nodiscard]] virtual Result<std::vector<QuarantinedMessage>> list_quarantine(
        std::int64_t limit, std::int64_t offset)
        = 0; // content left empty
    [[nodiscard]] virtual Result<std::optional<QuarantinedMessage>> get_quarantined(std::int64_t id) = 0;

    // Sum of counter NAME of SUBJECT over buckets >= SINCE.
    [[nodiscard]] virtual Result<std::int64_t> sum_counter(
        std::string_view subject, std::string_view name, Time since)
        = 0;
    // Every counter of SUBJECT ("" = all subjects) with bucket >= SINCE.
    [[nodiscard]] virtual Result<std::vector<Counter>> list_counters(std::string_view subject, Time since)
        = 0;

    [[nodiscard]] virtual Result<std::optional<Sender>> get_sender(std::string_view key) = 0;
    [[nodiscard]] virtual Result<std::vector<Sender>> list_senders() = 0;

    [[nodiscard]] virtual Result<std::vector<LimiterState>> load_limiter_states() = 0;

    // Convenience: begin, run WORK, commit; rolls back when WORK fails.
    [[nodiscard]] Status write(const std::function<Status(Transaction&)>& work);

    // The bounce program's pattern: in ONE transaction, record KEY as
    // processed and run WORK. false (and WORK not run) when KEY was already
    // processed; an error from WORK rolls everything back, KEY included, so a
    // retry (exit 75) processes the message again.
    [[nodiscard]] Result<bool> write_once(
        std::string_view key, Time now, const std::function<Status(Transaction&)>& work);
};

struct OpenOptions {
    std::string path;
    std::int64_t busy_timeout_ms = 5000;
    bool create = true; // create the file and schema when missing
    bool read_only = false; // no migration; writes fail
    // Page cache of this connection. SQLite's 2 MiB default makes a
    // million-row import re-read its B-tree pages from the OS many times.
    std::int64_t cache_kib = 16 * 1024;
    // Reads through a memory map instead of read() calls: the lookup of
    // policyd's every RCPT then costs no system call once the pages are
    // cached. 0 turns it off.
    std::int64_t mmap_bytes = std::int64_t(256) << 20;
    // A bulk import (`sendsentry suppress import`): a 256 MiB page cache and
    // synchronous = NORMAL, so a commit waits for no fsync. A crash or power
    // loss may then undo the last batches, never corrupt the file (WAL);
    // running the import again restores them.
    bool bulk = false;
};

// Opens the store the configuration names ([store] path, busy_timeout).
[[nodiscard]] Result<std::unique_ptr<Store>> open(const config::Config& config);
// Opens a store with explicit options (the CLI's --db, tests, benchmarks).
[[nodiscard]] Result<std::unique_ptr<Store>> open(const OpenOptions& options);

} // namespace sendsentry::store
