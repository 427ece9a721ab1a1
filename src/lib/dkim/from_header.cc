// RFC 5322 mailbox reading, just far enough to find the one addr-spec.
#include "dkim/from_header.hh"

namespace sendsentry::dkim {
namespace {

    // A From value longer than this is hostile; RFC 5322 2.1.1 caps a line at 998.
    constexpr std::size_t max_from_length = 16 * 1024;

    std::string_view trim(std::string_view s)
    {
        const char* ws = " \t\r\n";
        auto b = s.find_first_not_of(ws);
        if (b == std::string_view::npos)
            return {};
        return s.substr(b, s.find_last_not_of(ws) - b + 1);
    }

} // namespace

const char* to_string(FromProblem p) noexcept
{
    switch (p) {
    case FromProblem::none:
        return "none";
    case FromProblem::missing:
        return "no From field";
    case FromProblem::several_fields:
        return "several From fields";
    case FromProblem::several_addresses:
        return "several addresses in From";
    case FromProblem::unparsable:
        return "unreadable From address";
    }
    return "?";
}

Result<Address> parse_mailbox(std::string_view value)
{
    if (value.size() > max_from_length)
        return make_error(
            ErrorKind::invalid, "From longer than " + std::to_string(max_from_length) + " bytes");
    // One pass outside comments and quoted strings: the text of the first
    // <...>, the bare text (comments dropped) and top-level separators.
    std::string bare, angle;
    int depth = 0; // comment nesting
    bool quoted = false;
    bool in_angle = false, saw_angle = false;
    int mailboxes_after_comma = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && (quoted || depth > 0) && i + 1 < value.size()) {
            if (in_angle)
                angle.append(value.substr(i, 2));
            else if (!depth)
                bare.append(value.substr(i, 2));
            ++i;
            continue;
        }
        if (depth > 0) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            continue;
        }
        if (quoted) {
            quoted = c != '"';
            (in_angle ? angle : bare) += c;
            continue;
        }
        switch (c) {
        case '(':
            depth = 1;
            continue;
        case '"':
            quoted = true;
            break;
        case '<':
            if (saw_angle)
                return make_error(ErrorKind::invalid, "several addresses in From");
            in_angle = saw_angle = true;
            continue;
        case '>':
            in_angle = false;
            continue;
        case ',':
            if (trim(value.substr(i + 1)).empty())
                continue; // a trailing comma (obs-mbox-list) is not a second mailbox
            ++mailboxes_after_comma;
            continue;
        case ':':
        case ';':
            if (!in_angle)
                return make_error(ErrorKind::invalid, "several addresses in From (a group)");
            break;
        case '\r':
        case '\n':
            continue; // folding
        default:
            break;
        }
        (in_angle ? angle : bare) += c;
    }
    if (mailboxes_after_comma > 0)
        return make_error(ErrorKind::invalid, "several addresses in From");
    if (depth > 0 || quoted || in_angle)
        return make_error(ErrorKind::invalid, "unbalanced comment, quote or angle bracket");
    std::string spec;
    if (saw_angle) {
        spec = std::string(trim(angle));
    } else {
        for (char c : bare)
            if (c != ' ' && c != '\t')
                spec += c;
    }
    if (spec.empty())
        return make_error(ErrorKind::invalid, "no address");
    return parse_address(spec);
}

AuthorResult find_author(const std::vector<std::string_view>& from_values)
{
    AuthorResult r;
    if (from_values.empty()) {
        r.problem = FromProblem::missing;
        return r;
    }
    if (from_values.size() > 1) {
        r.problem = FromProblem::several_fields;
        return r;
    }
    auto a = parse_mailbox(from_values.front());
    if (!a) {
        r.problem = a.error().message.starts_with("several") ? FromProblem::several_addresses
                                                             : FromProblem::unparsable;
        r.detail = a.error().message;
        return r;
    }
    r.address = std::move(*a);
    return r;
}

} // namespace sendsentry::dkim
