// `sendsentry report --html FILE` (issue 8): one self-contained HTML page
// with inline SVG charts (no scripts, fonts or images fetched from anywhere):
// per-sender volume over time, hard-bounce and complaint rates over time with
// the warning and suspension thresholds drawn in, the top bounce reasons and
// the top blocked recipient domains. Gathering reads the store; rendering is
// pure.
#pragma once

#include "reputation/assessment.hh"
#include "reputation/event_report.hh"

#include <string>
#include <vector>

namespace sendsentry::reputation {

// One point of a sender's series: the messages sent in its step, and the
// rates over the trailing judging window (the first of Thresholds::windows)
// ending with it: what the guard would have seen then.
struct SeriesPoint {
    store::Time at = 0; // end of the step
    std::int64_t sent = 0; // in the step
    std::int64_t window_sent = 0; // in the trailing window
    std::int64_t hard_bounce_ppm = 0; // over the trailing window
    std::int64_t complaint_ppm = 0;
};

struct SenderSeries {
    std::string sender;
    State state = State::ok;
    std::int64_t sent = 0; // over the whole report
    std::vector<SeriesPoint> points;
};

struct HtmlReport {
    store::Time since = 0;
    store::Time now = 0;
    store::Time step = 3600; // seconds per point
    Thresholds thresholds;
    std::vector<SenderSeries> senders; // most mail first
    ReportTable bounce_reasons;
    ReportTable blocked_domains;
};

// Bounds on the page: senders charted (the busiest) and points per chart.
inline constexpr std::size_t max_chart_senders = 50;
inline constexpr std::int64_t max_chart_points = 336; // two weeks of hours

// Series from the hourly counters of every sender (or of SENDER only).
[[nodiscard]] Result<HtmlReport> gather_html_report(store::Store& store, store::Time since, store::Time now,
    const Thresholds& thresholds, std::string_view sender, std::size_t top);

// The element id of a sender's charts: "volume-" + chart_id(sender), ...;
// lower-case letters, digits and '-' kept, everything else '_'.
std::string chart_id(std::string_view sender);

std::string render_html(const HtmlReport& report);

} // namespace sendsentry::reputation
