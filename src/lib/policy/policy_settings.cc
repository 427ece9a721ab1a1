// [policyd] settings: parsing and validation; see policy_settings.hh.
#include "policy/policy_settings.hh"

#include "core/config.hh"

#include <algorithm>

namespace sendsentry::policy {
namespace {

    bool is_reply_code(std::string_view word)
    {
        return word.size() == 3 && (word[0] == '4' || word[0] == '5') && word[1] >= '0' && word[1] <= '9'
            && word[2] >= '0' && word[2] <= '9';
    }

    struct Collector {
        std::string errors;
        void add(std::string_view key, const std::string& message)
        {
            errors += (errors.empty() ? "" : "\n");
            errors += "[policyd] ";
            errors += key;
            errors += ": ";
            errors += message;
        }
    };

    void read_limits(const config::Config& c, std::string_view name, LimitKind kind, std::vector<Limit>& out,
        Collector& errors)
    {
        for (const std::string& word : c.list("policyd", name)) {
            auto l = parse_limit(kind, word);
            if (!l)
                errors.add(name, l.error().message);
            else
                out.push_back(*l);
        }
    }

    void read_template(const config::Config& c, std::string_view name,
        std::initializer_list<std::string_view> allowed, ReplyTemplate& out, Collector& errors)
    {
        auto t = ReplyTemplate::parse(c.string("policyd", name), allowed);
        if (!t)
            errors.add(name, t.error().message);
        else
            out = std::move(*t);
    }

} // namespace

Result<ReplyTemplate> ReplyTemplate::parse(
    std::string_view text, std::initializer_list<std::string_view> allowed)
{
    std::string_view first = text.substr(0, text.find(' '));
    if (!is_reply_code(first) && first != "DEFER_IF_PERMIT" && first != "DEFER" && first != "REJECT")
        return make_error(ErrorKind::invalid,
            "must start with a 4xx or 5xx code, DEFER_IF_PERMIT, DEFER or REJECT, not \"" + std::string(first)
                + "\"");
    for (std::size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        auto close = text.find('}', open);
        if (close == std::string_view::npos)
            return make_error(ErrorKind::invalid, "unclosed '{'");
        std::string_view name = text.substr(open + 1, close - open - 1);
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            std::string list;
            for (auto a : allowed)
                list += (list.empty() ? "{" : ", {") + std::string(a) + "}";
            return make_error(ErrorKind::invalid,
                "unknown placeholder {" + std::string(name) + "}; this reply knows " + list);
        }
    }
    ReplyTemplate t;
    t.text_.assign(text);
    return t;
}

std::string ReplyTemplate::expand(
    std::initializer_list<std::pair<std::string_view, std::string_view>> values) const
{
    std::string out;
    out.reserve(text_.size() + 64);
    std::string_view rest = text_;
    for (;;) {
        auto open = rest.find('{');
        auto close = open == std::string_view::npos ? open : rest.find('}', open);
        if (close == std::string_view::npos) {
            out += rest;
            return out;
        }
        out += rest.substr(0, open);
        std::string_view name = rest.substr(open + 1, close - open - 1);
        for (const auto& [n, v] : values)
            if (n == name) {
                out += v;
                break;
            }
        rest.remove_prefix(close + 1);
    }
}

Result<LimitOverride> parse_override(std::string_view text)
{
    // Split from the right: the key itself may hold ':' ("client:2001:db8::1").
    auto spec_colon = text.rfind(':');
    auto kind_colon = spec_colon == std::string_view::npos || spec_colon == 0
        ? std::string_view::npos
        : text.rfind(':', spec_colon - 1);
    if (kind_colon == std::string_view::npos || kind_colon == 0)
        return make_error(ErrorKind::invalid,
            "\"" + std::string(text)
                + "\": expected KEY:KIND:COUNT/WINDOW such as sender:a@example.com:messages:10/1m");
    auto kind = parse_limit_kind(text.substr(kind_colon + 1, spec_colon - kind_colon - 1));
    if (!kind)
        return make_error(ErrorKind::invalid, "\"" + std::string(text) + "\": " + kind.error().message);
    auto limit = parse_limit(*kind, text.substr(spec_colon + 1));
    if (!limit)
        return limit.error();
    return LimitOverride { std::string(text.substr(0, kind_colon)), *limit };
}

Result<PolicySettings> settings_from(const config::Config& c)
{
    PolicySettings s;
    Collector errors;

    auto sources = parse_key_sources(c.list("policyd", "limit_key"));
    if (!sources)
        errors.add("limit_key", sources.error().message);
    else
        s.key_sources = *sources;

    read_limits(c, "message_limits", LimitKind::messages, s.limits, errors);
    read_limits(c, "recipient_limits", LimitKind::recipients, s.limits, errors);
    for (const std::string& word : c.list("policyd", "limit_overrides")) {
        auto o = parse_override(word);
        if (!o)
            errors.add("limit_overrides", o.error().message);
        else
            s.overrides[o->key].push_back(o->limit);
    }

    s.count_at = c.string("policyd", "count_at") == "data" ? CountAt::data : CountAt::end_of_message;
    const std::string& cnt = c.string("policyd", "on_could_not_tell");
    s.could_not_tell = cnt == "dunno" ? CouldNotTell::dunno
        : cnt == "defer_if_permit"    ? CouldNotTell::defer_if_permit
                                      : CouldNotTell::close;
    s.approved_senders_only = c.boolean("policyd", "approved_senders_only");
    s.persist_interval = c.duration("policyd", "persist_interval").count() * us_per_second;

    read_template(c, "over_limit_reply", { "limit", "key", "retry_at", "retry_in" }, s.over_limit, errors);
    read_template(c, "not_approved_reply", { "sender", "sasl_username" }, s.not_approved, errors);
    read_template(c, "suspended_reply", { "subject", "since", "reason" }, s.suspended, errors);
    std::initializer_list<std::string_view> suppression = { "recipient", "scope", "since", "detail" };
    read_template(c, "hard_bounce_reply", suppression, s.hard_bounce, errors);
    read_template(c, "complaint_reply", suppression, s.complaint, errors);
    read_template(c, "unsubscribe_reply", suppression, s.unsubscribe, errors);
    read_template(c, "soft_bounce_reply", suppression, s.soft_bounce, errors);
    read_template(c, "manual_reply", suppression, s.manual, errors);

    if (!errors.errors.empty())
        return make_error(ErrorKind::invalid, errors.errors);
    return s;
}

} // namespace sendsentry::policy
