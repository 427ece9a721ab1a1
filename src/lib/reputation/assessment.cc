// Threshold arithmetic for the reputation guard.
#include "reputation/assessment.hh"

#include <cstdio>

namespace sendsentry::reputation {
namespace {

    // COUNT / SENT >= PPM / 1e6, in integers (counts are far below 2^43).
    bool reaches(std::int64_t count, std::int64_t sent, std::int64_t ppm)
    {
        return ppm > 0 && sent > 0 && count * 1000000 >= ppm * sent; // 0%: check disabled
    }

    std::string explain(std::string_view what, std::int64_t count, std::int64_t sent, std::chrono::seconds w,
        std::string_view level, std::int64_t threshold_ppm)
    {
        return std::string(what) + " rate " + format_ppm(sent ? count * 1000000 / sent : 0) + " over "
            + window_name(w) + " (" + std::to_string(count) + " of " + std::to_string(sent) + ") reached the "
            + std::string(level) + " threshold " + format_ppm(threshold_ppm);
    }

} // namespace

std::string window_name(std::chrono::seconds window)
{
    auto s = window.count();
    if (s % 86400 == 0 && s != 86400)
        return std::to_string(s / 86400) + "d";
    if (s % 3600 == 0)
        return std::to_string(s / 3600) + "h";
    if (s % 60 == 0)
        return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

std::string format_ppm(std::int64_t ppm)
{
    char buf[32];
    if (ppm % 10000 == 0)
        std::snprintf(buf, sizeof buf, "%lld%%", static_cast<long long>(ppm / 10000));
    else
        std::snprintf(buf, sizeof buf, "%.2f%%", static_cast<double>(ppm) / 10000.0);
    return buf;
}

Thresholds Thresholds::from_config(const config::Config& cfg)
{
    Thresholds t;
    t.min_volume = cfg.integer("reputation", "min_volume");
    t.warn_hard_bounce_ppm = cfg.ppm("reputation", "warn_hard_bounce_rate");
    t.warn_complaint_ppm = cfg.ppm("reputation", "warn_complaint_rate");
    t.suspend_hard_bounce_ppm = cfg.ppm("reputation", "suspend_hard_bounce_rate");
    t.suspend_complaint_ppm = cfg.ppm("reputation", "suspend_complaint_rate");
    t.windows.clear();
    for (const std::string& w : cfg.list("reputation", "windows"))
        if (auto secs = config::parse_duration(w); secs && *secs > 0)
            t.windows.emplace_back(*secs);
    return t;
}

Assessment assess(std::span<const WindowCounts> windows, const Thresholds& t)
{
    Assessment worst;
    for (const WindowCounts& wc : windows) {
        const Counts& c = wc.counts;
        if (c.sent < t.min_volume)
            continue;
        if (reaches(c.hard_bounces, c.sent, t.suspend_hard_bounce_ppm))
            return { State::suspended,
                explain("hard-bounce", c.hard_bounces, c.sent, wc.window, "suspension", t.suspend_hard_bounce_ppm) };
        if (reaches(c.complaints, c.sent, t.suspend_complaint_ppm))
            return { State::suspended,
                explain("complaint", c.complaints, c.sent, wc.window, "suspension", t.suspend_complaint_ppm) };
        if (worst.state != State::ok)
            continue;
        if (reaches(c.hard_bounces, c.sent, t.warn_hard_bounce_ppm))
            worst = { State::warning,
                explain("hard-bounce", c.hard_bounces, c.sent, wc.window, "warning", t.warn_hard_bounce_ppm) };
        else if (reaches(c.complaints, c.sent, t.warn_complaint_ppm))
            worst = { State::warning,
                explain("complaint", c.complaints, c.sent, wc.window, "warning", t.warn_complaint_ppm) };
    }
    return worst;
}

State next_state(State current, const Assessment& assessment) noexcept
{
    if (current == State::suspended)
        return State::suspended;
    return assessment.state;
}

} // namespace sendsentry::reputation
