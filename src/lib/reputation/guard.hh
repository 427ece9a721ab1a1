// The reputation guard: reads a sender's counters from the store, judges them
// (assessment.hh) and records a change of state as the sender's new state and
// a state_change event. Run by the bounce program after each bounce it
// stores, and by `sendsentry senders --evaluate` (a timer) for the rest.
#pragma once

#include "reputation/assessment.hh"
#include "store/store.hh"

#include <optional>
#include <string>
#include <vector>

namespace sendsentry::reputation {

struct Evaluation {
    std::string subject;
    State previous = State::ok;
    State current = State::ok;
    std::string reason; // why CURRENT (empty when ok)
    std::vector<WindowCounts> windows; // in the order of Thresholds::windows
    bool changed() const noexcept { return previous != current; }
};

// Counts of SUBJECT in each window ending at NOW, clipped at its last resume.
[[nodiscard]] Result<std::vector<WindowCounts>> window_counts(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds);

// Judges SUBJECT and, when its state changes, writes the new state and a
// state_change event (source "reputation") in one transaction.
[[nodiscard]] Result<Evaluation> evaluate(
    store::Store& store, std::string_view subject, store::Time now, const Thresholds& thresholds);

// Operator reinstatement: state ok, a "resumed" marker so that the old counts
// are not judged again, and a state_change event saying who and why.
[[nodiscard]] Status resume(store::Store& store, std::string_view subject, store::Time now,
    std::string_view who, std::string_view why);

// Operator suspension (issue 5: senders suspended by the CLI): state
// suspended and a state_change event saying who and why; a sender never seen
// before gets its row. policyd refuses it within a second.
[[nodiscard]] Status suspend(store::Store& store, std::string_view subject, store::Time now,
    std::string_view who, std::string_view why);

// The approved-senders list ([policyd] approved_senders_only): SUBJECT (an
// address, a domain or a SASL login) may send, or no longer.
[[nodiscard]] Status set_approved(store::Store& store, std::string_view subject, bool approved);

} // namespace sendsentry::reputation
