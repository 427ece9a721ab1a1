// GCRA windows and the per-key table; the semantics are in rate_limit.hh.
#include "policy/rate_limit.hh"

#include "core/config.hh"

#include <algorithm>
#include <charconv>

namespace sendsentry::policy {

const char* to_string(LimitKind kind) noexcept
{
    return kind == LimitKind::messages ? "messages" : "recipients";
}

Result<LimitKind> parse_limit_kind(std::string_view text)
{
    if (text == "messages")
        return LimitKind::messages;
    if (text == "recipients")
        return LimitKind::recipients;
    return make_error(ErrorKind::invalid, "expected \"messages\" or \"recipients\"");
}

TimeUs Limit::interval() const noexcept
{
    TimeUs w = window_seconds * us_per_second;
    return (w + count - 1) / count;
}

TimeUs Limit::burst() const noexcept { return interval() * count; }

Result<Limit> parse_limit(LimitKind kind, std::string_view text)
{
    auto slash = text.find('/');
    std::int64_t count = 0;
    if (slash != std::string_view::npos) {
        auto [p, ec] = std::from_chars(text.data(), text.data() + slash, count);
        if (ec != std::errc() || p != text.data() + slash)
            slash = std::string_view::npos;
    }
    if (slash == std::string_view::npos || slash == 0)
        return make_error(
            ErrorKind::invalid, "\"" + std::string(text) + "\": expected COUNT/WINDOW such as 100/1h");
    if (count < 1 || count > max_limit_count)
        return make_error(ErrorKind::invalid,
            "\"" + std::string(text) + "\": count must be between 1 and " + std::to_string(max_limit_count));
    auto window = config::parse_duration(text.substr(slash + 1));
    if (!window || *window < 1 || *window > max_limit_window_seconds)
        return make_error(ErrorKind::invalid,
            "\"" + std::string(text) + "\": window must be a duration between 1s and 366d");
    return Limit { kind, count, *window };
}

std::string format_seconds(std::int64_t seconds)
{
    if (seconds > 0 && seconds % 86400 == 0)
        return std::to_string(seconds / 86400) + "d";
    if (seconds > 0 && seconds % 3600 == 0)
        return std::to_string(seconds / 3600) + "h";
    if (seconds > 0 && seconds % 60 == 0)
        return std::to_string(seconds / 60) + "m";
    return std::to_string(seconds) + "s";
}

std::string format_limit(const Limit& limit)
{
    return std::to_string(limit.count) + "/" + format_seconds(limit.window_seconds);
}

GcraStep gcra_step(const Limit& limit, TimeUs tat, TimeUs now, std::int64_t cost) noexcept
{
    GcraStep step;
    if (cost > limit.count) {
        step.never = true;
        return step;
    }
    TimeUs t = limit.interval();
    TimeUs burst = t * limit.count;
    TimeUs start = std::max(tat, now);
    step.new_tat = start + cost * t;
    // Fits when the bucket, after taking COST, is at most BURST ahead of now.
    step.allowed = step.new_tat - now <= burst;
    if (!step.allowed)
        step.retry_at = tat + cost * t - burst; // solve max(tat,r) + cost*t - r == burst
    return step;
}

void RateLimiter::resolve_overrides()
{
    resolved_.clear();
    for (const auto& [key, limits] : overrides_) {
        std::vector<Limit>& out = resolved_[key];
        out = limits;
        // An override of one kind leaves the default windows of the other kind.
        for (const Limit& d : defaults_)
            if (std::none_of(limits.begin(), limits.end(), [&](const Limit& o) { return o.kind == d.kind; }))
                out.push_back(d);
    }
}

const std::vector<Limit>& RateLimiter::limits_for(const std::string& key) const
{
    auto it = resolved_.find(key);
    return it == resolved_.end() ? defaults_ : it->second;
}

namespace {

    TimeUs tat_in(const std::vector<WindowState>* windows, const Limit& limit)
    {
        if (windows)
            for (const WindowState& w : *windows)
                if (w.kind == limit.kind && w.window_seconds == limit.window_seconds)
                    return w.tat;
        return 0;
    }

} // namespace

RateVerdict RateLimiter::check(const std::string& key, Usage usage, TimeUs now) const
{
    RateVerdict verdict;
    auto state = state_.find(key);
    const std::vector<WindowState>* windows = state == state_.end() ? nullptr : &state->second;
    for (const Limit& limit : limits_for(key)) {
        std::int64_t cost = limit.kind == LimitKind::messages ? usage.messages : usage.recipients;
        if (cost <= 0)
            continue;
        GcraStep step = gcra_step(limit, tat_in(windows, limit), now, cost);
        if (step.allowed)
            continue;
        // Report the window that keeps the sender waiting longest; `never`
        // outranks every time.
        bool worse = verdict.allowed || (step.never && !verdict.never)
            || (!verdict.never && !step.never && step.retry_at > verdict.retry_at);
        if (worse) {
            verdict.allowed = false;
            verdict.limit = limit;
            verdict.never = step.never;
            verdict.retry_at = step.retry_at;
        }
    }
    return verdict;
}

void RateLimiter::commit(const std::string& key, Usage usage, TimeUs now)
{
    const std::vector<Limit>& limits = limits_for(key);
    if (limits.empty())
        return;
    std::vector<WindowState>& windows = state_[key];
    for (const Limit& limit : limits) {
        std::int64_t cost = limit.kind == LimitKind::messages ? usage.messages : usage.recipients;
        if (cost <= 0)
            continue;
        auto it = std::find_if(windows.begin(), windows.end(), [&](const WindowState& w) {
            return w.kind == limit.kind && w.window_seconds == limit.window_seconds;
        });
        if (it == windows.end())
            it = windows.insert(windows.end(), WindowState { limit.kind, limit.window_seconds, 0 });
        it->tat = std::max(it->tat, now) + cost * limit.interval();
    }
    dirty_[key] = windows;
}

void RateLimiter::restore(const std::string& key, std::vector<WindowState> windows)
{
    if (windows.empty())
        state_.erase(key);
    else
        state_[key] = std::move(windows);
}

std::vector<WindowState> RateLimiter::state_of(const std::string& key) const
{
    auto it = state_.find(key);
    return it == state_.end() ? std::vector<WindowState> {} : it->second;
}

void RateLimiter::reset(const std::string& key)
{
    // Every window the key has or is configured with goes to rest, so that
    // all of them are written at rest; expire() drops the key later.
    std::vector<WindowState>& windows = state_[key];
    for (WindowState& w : windows)
        w.tat = 0;
    for (const Limit& l : limits_for(key))
        if (std::none_of(windows.begin(), windows.end(), [&](const WindowState& w) {
                return w.kind == l.kind && w.window_seconds == l.window_seconds;
            }))
            windows.push_back(WindowState { l.kind, l.window_seconds, 0 });
    dirty_[key] = windows;
}

std::size_t RateLimiter::expire(TimeUs now)
{
    std::size_t dropped = 0;
    for (auto it = state_.begin(); it != state_.end();) {
        bool at_rest = std::all_of(
            it->second.begin(), it->second.end(), [&](const WindowState& w) { return w.tat <= now; });
        if (at_rest && !dirty_.contains(it->first)) {
            it = state_.erase(it);
            ++dropped;
        } else {
            ++it;
        }
    }
    return dropped;
}

} // namespace sendsentry::policy
