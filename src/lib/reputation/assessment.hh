// The reputation rules: from a sender's counts over rolling windows, decide
// ok, warning or suspended (issue 8). Pure: counts and thresholds in, verdict
// out; the store supplies the counts and the policy daemon enforces.
#pragma once

#include "core/config.hh"
#include "store/store.hh"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::reputation {

using State = store::SenderState;

// What happened to one sender within one window.
struct Counts {
    std::int64_t sent = 0;
    std::int64_t hard_bounces = 0;
    std::int64_t soft_bounces = 0;
    std::int64_t complaints = 0;
    std::int64_t unsubscribes = 0;
    std::int64_t blocked = 0;
};

struct WindowCounts {
    std::chrono::seconds window;
    Counts counts;
};

// Rates in parts per million: exact at the thresholds, no floating point.
struct Thresholds {
    std::int64_t min_volume = 500;
    std::int64_t warn_hard_bounce_ppm = 20000;  // 2%
    std::int64_t warn_complaint_ppm = 1000;     // 0.1%
    std::int64_t suspend_hard_bounce_ppm = 80000; // 8%
    std::int64_t suspend_complaint_ppm = 3000;  // 0.3%
    std::vector<std::chrono::seconds> windows = { std::chrono::hours(24), std::chrono::hours(24 * 7) };

    static Thresholds from_config(const config::Config& cfg);
};

struct Assessment {
    State state = State::ok;
    // Why, for logs, events and the SMTP reply: "hard-bounce rate 9.1% over 24h
    // (91 of 1000) reached the suspension threshold 8%". Empty when ok.
    std::string reason;
};

// Judges the counts of each window (the order of THRESHOLDS.windows); a
// window whose volume is under min_volume is not judged. The worst window wins.
Assessment assess(std::span<const WindowCounts> windows, const Thresholds& thresholds);

// The state to record next: suspension is sticky (only an operator resumes a
// sender, `sendsentry sender resume`); warning comes and goes with the rates.
State next_state(State current, const Assessment& assessment) noexcept;

// "24h", "7d", "90m": a window as people write it.
std::string window_name(std::chrono::seconds window);

// "9.1%" from parts per million, for messages.
std::string format_ppm(std::int64_t ppm);

} // namespace sendsentry::reputation
