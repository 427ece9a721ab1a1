// Names of the store's enums, the write() helper, and open(): the one place
// that picks a backend (today SQLite) from the configuration.
#include "store/store.hh"

#include "core/config.hh"
#include "store/sqlite_store.hh"

#include <algorithm>
#include <array>
#include <cctype>

namespace sendsentry::store {
namespace {

    template <class E, std::size_t N>
    Result<E> parse_name(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text,
        std::string_view what)
    {
        for (const auto& [value, name] : names)
            if (name == text)
                return value;
        std::string expected;
        for (const auto& [value, name] : names)
            expected += (expected.empty() ? "" : "|") + std::string(name);
        return make_error(ErrorKind::invalid,
            "unknown " + std::string(what) + " '" + std::string(text.substr(0, 40)) + "' (expected "
                + expected + ")");
    }

    template <class E, std::size_t N>
    std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) noexcept
    {
        for (const auto& [v, name] : names)
            if (v == value)
                return name;
        return "?";
    }

    constexpr std::array<std::pair<Reason, std::string_view>, 5> reason_names = { {
        { Reason::hard_bounce, "hard_bounce" },
        { Reason::complaint, "complaint" },
        { Reason::soft_bounce, "soft_bounce" },
        { Reason::unsubscribe, "unsubscribe" },
        { Reason::manual, "manual" },
    } };

    constexpr std::array<std::pair<EventKind, std::string_view>, 12> event_names = { {
        { EventKind::suppression_added, "suppression_added" },
        { EventKind::suppression_updated, "suppression_updated" },
        { EventKind::suppression_removed, "suppression_removed" },
        { EventKind::suppression_imported, "suppression_imported" },
        { EventKind::hard_bounce, "hard_bounce" },
        { EventKind::soft_bounce, "soft_bounce" },
        { EventKind::complaint, "complaint" },
        { EventKind::unsubscribe, "unsubscribe" },
        { EventKind::blocked_send, "blocked_send" },
        { EventKind::quarantined, "quarantined" },
        { EventKind::state_change, "state_change" },
        { EventKind::delivered, "delivered" },
    } };

    constexpr std::array<std::pair<SenderState, std::string_view>, 3> state_names = { {
        { SenderState::ok, "ok" },
        { SenderState::warning, "warning" },
        { SenderState::suspended, "suspended" },
    } };

    std::string lower(std::string_view s)
    {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
            [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return out;
    }

} // namespace

std::string_view to_string(Reason reason) noexcept { return name_of(reason_names, reason); }

Result<Reason> parse_reason(std::string_view text)
{
    std::string l = lower(text);
    // Amazon SES's suppression list says BOUNCE or COMPLAINT (its
    // "SuppressionListReason"); SES only suppresses permanent bounces.
    if (l == "bounce")
        return Reason::hard_bounce;
    return parse_name(reason_names, l, "reason");
}

std::string_view to_string(EventKind kind) noexcept { return name_of(event_names, kind); }

Result<EventKind> parse_event_kind(std::string_view text)
{
    return parse_name(event_names, text, "event kind");
}

std::string_view to_string(SenderState state) noexcept { return name_of(state_names, state); }

Result<SenderState> parse_sender_state(std::string_view text)
{
    return parse_name(state_names, lower(text), "sender state");
}

Status Store::write(const std::function<Status(Transaction&)>& work)
{
    auto tx = begin();
    if (!tx)
        return std::move(tx).error();
    if (auto s = work(**tx); !s)
        return s; // the Transaction's destructor rolls back
    return (*tx)->commit();
}

Result<bool> Store::write_once(
    std::string_view key, Time now, const std::function<Status(Transaction&)>& work)
{
    auto tx = begin();
    if (!tx)
        return std::move(tx).error();
    auto fresh = (*tx)->mark_processed(key, now);
    if (!fresh)
        return std::move(fresh).error();
    if (!*fresh)
        return false; // rolled back: nothing was written
    if (auto s = work(**tx); !s)
        return std::move(s).error();
    if (auto s = (*tx)->commit(); !s)
        return std::move(s).error();
    return true;
}

Result<std::unique_ptr<Store>> open(const OpenOptions& options)
{
    auto s = SqliteStore::open(options);
    if (!s)
        return std::move(s).error();
    return std::unique_ptr<Store>(std::move(s).value());
}

Result<std::unique_ptr<Store>> open(const config::Config& config)
{
    OpenOptions options;
    options.path = config.string("store", "path");
    options.busy_timeout_ms = config.duration("store", "busy_timeout").count() * 1000;
    return open(options);
}

} // namespace sendsentry::store
