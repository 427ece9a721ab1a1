// The suppression rules on top of store::Transaction: normalising keys,
// merging a new sighting into an existing entry, and suppressing after
// repeated soft bounces. Used by the bounce program, the CLI and policyd.
#pragma once

#include "store/store.hh"

#include <optional>
#include <string>
#include <string_view>

namespace sendsentry::config {
class Config;
}

namespace sendsentry::store {

struct SuppressionKey {
    std::string address; // normalised by core/address
    std::string scope; // "" = global, else a normalised (A-label, lower-case) domain
};

// Normalises ADDRESS and SCOPE. SCOPE may be "", "global" or "*" (all
// senders), a domain, or an address whose domain is taken.
[[nodiscard]] Result<SuppressionKey> make_key(std::string_view address, std::string_view scope = {});
// The scope form of a sender domain or address ("" stays "").
[[nodiscard]] Result<std::string> normalize_scope(std::string_view scope);

// Something says KEY should be suppressed: a bounce, a complaint, an
// unsubscribe, an operator.
struct Sighting {
    SuppressionKey key;
    Reason reason = Reason::manual;
    std::string source; // "bounce", "cli", "import"
    std::string detail; // DSN status and diagnostic, feedback type, ...
    std::string note; // kept from before when empty
    std::optional<Time> expires;
    // Operator edits (CLI add) set reason, expiry and note as given; automatic
    // sightings never weaken an entry (see merge()).
    bool authoritative = false;
    // For the event log only.
    std::string sender;
    std::string message_key;
};

// What the entry becomes when SIGHTING arrives at NOW (pure):
// - no entry, or an expired one: a new entry (first_seen = last_seen = NOW, hits 1);
// - otherwise last_seen = NOW and hits + 1, and unless authoritative:
//   a soft bounce never replaces a permanent reason (hard_bounce, complaint,
//   unsubscribe, manual) nor shortens its expiry; a permanent reason replaces a
//   soft bounce and its expiry; the same reason keeps the later expiry
//   ("forever" is the latest).
Suppression merge(const std::optional<Suppression>& existing, const Sighting& sighting, Time now);

// Reads the entry, merges SIGHTING, writes it, and logs suppression_added or
// suppression_updated. Returns the entry as written.
[[nodiscard]] Result<Suppression> suppress(Transaction& tx, const Sighting& sighting, Time now);

// Writes ENTRY as given (an import: the file is the truth), keeping the
// earlier first_seen of an existing row. Logs nothing: the importer logs one
// suppression_imported event per batch (suppression_import.hh says why).
[[nodiscard]] Status import_entry(Transaction& tx, const Suppression& entry);

// Removes the entry of KEY and logs suppression_removed; false when there was none.
[[nodiscard]] Result<bool> unsuppress(
    Transaction& tx, const SuppressionKey& key, std::string_view source, std::string_view detail, Time now);

// Repeated soft bounces ([bounce] soft_bounce_*): LIMIT within WINDOW seconds
// suppress the address for EXPIRY seconds (0 = forever).
struct SoftBouncePolicy {
    std::int64_t limit = 3;
    Time window = 7 * 86400;
    Time expiry = 30 * 86400;
};

SoftBouncePolicy soft_bounce_policy(const config::Config& config);

// Logs a soft_bounce event for SIGHTING's address, counts soft bounces of that
// address since NOW - WINDOW (this one included), and at LIMIT suppresses it
// with reason soft_bounce. Returns the entry when this call suppressed or
// refreshed it, std::nullopt when under the limit.
[[nodiscard]] Result<std::optional<Suppression>> record_soft_bounce(
    Transaction& tx, const Sighting& sighting, const SoftBouncePolicy& policy, Time now);

} // namespace sendsentry::store
