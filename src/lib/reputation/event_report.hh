// The tables behind `sendsentry report bounces|complaints|blocked|suppressions`
// and the HTML report (issue 8): events and suppression rows since a time,
// optionally for one sender, tallied into top-N tables (reasons, sender
// domains, recipient domains). Reads the store; writes nothing.
#pragma once

#include "store/store.hh"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::reputation {

enum class ReportKind { bounces, complaints, blocked_sends, suppressions };

std::string_view to_string(ReportKind kind) noexcept;
[[nodiscard]] Result<ReportKind> parse_report_kind(std::string_view text);

struct ReportRow {
    std::string key;
    std::int64_t count = 0;
};

// One tally, largest count first (ties by key), cut at the query's top.
struct ReportTable {
    std::string name; // "by_reason", "by_sender_domain", ...
    std::string key_label; // column heading: "reason", "sender domain", ...
    std::vector<ReportRow> rows;
    std::int64_t other = 0; // the count of rows cut off by top
};

struct ReportQuery {
    ReportKind kind = ReportKind::bounces;
    store::Time since = 0;
    store::Time now = 0;
    std::string sender; // "" = all; a domain (or an address) as in events
    std::size_t top = 20;
};

struct Report {
    ReportQuery query;
    std::int64_t total = 0; // occurrences the events stand for (or suppression rows)
    bool truncated = false; // more than max_report_rows matched
    std::vector<ReportTable> tables;
};

// The most events or rows one report reads: a bound on memory and time;
// past it the report says it is truncated.
inline constexpr std::int64_t max_report_rows = 1'000'000;

// Whether an event's sender (a domain from the bounce program, an address
// from the policy daemon) belongs to FILTER ("" matches everything; a domain
// matches itself and its addresses; an address matches only itself).
bool sender_matches(std::string_view event_sender, std::string_view filter) noexcept;

// The key a detail text is tallied under: "5.1.1 userunknown" out of
// "5.1.1 userunknown: 550 5.1.1 user unknown" (the words before ": ").
std::string reason_key(std::string_view detail);

// The reason a blocked_send event is tallied under: "rate_limit" out of
// "rate_limit: DEFER_IF_PERMIT ..." (policyd's "why: action").
std::string blocked_reason(std::string_view detail);

// The lower-cased domain of an address, or "(none)".
std::string domain_key(std::string_view address);

// Tallies EVENTS (already of the query's kind, since and sender) into tables;
// an event counts as many times as it stands for (store::Event::count).
Report tally_events(const ReportQuery& query, const std::vector<store::Event>& events);
Report tally_suppressions(const ReportQuery& query, const std::vector<store::Suppression>& rows);

// Reads what QUERY asks for from the store and tallies it.
[[nodiscard]] Result<Report> build_report(store::Store& store, const ReportQuery& query);

// Events of KIND in [SINCE, UNTIL) that match SENDER, newest first, at most
// max_report_rows (TRUNCATED set when there were more).
[[nodiscard]] Result<std::vector<store::Event>> events_between(store::Store& store, store::EventKind kind,
    store::Time since, store::Time until, std::string_view sender, bool& truncated);

// The three ways a report is printed.
std::string to_text(const Report& report);
std::string to_json(const Report& report);
std::string to_csv(const Report& report); // header "table,key,count"

} // namespace sendsentry::reputation
