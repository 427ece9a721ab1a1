// JSON lines for --dry-run --json; field order is stable for diffing.
#include "json_output.hh"

#include "core/json.hh"

#include <cstdio>

namespace sendsentry::bounce {

std::string failure_json(const mail::Failure& f, const mail::BounceReport& report)
{
    std::string out = "{";
    auto field = [&](std::string_view name, std::string_view value, bool first = false) {
        if (!first)
            out += ", ";
        out += json_string(name);
        out += ": ";
        out += json_string(value);
    };
    field("recipient", f.recipient, true);
    field("status", f.status);
    field("reply_code", f.reply_code);
    field("reason", f.reason);
    out += ", \"hard\": ";
    out += f.hard ? "true" : "false";
    field("diagnostic", f.diagnostic);
    field("remote_mta", f.remote_mta);
    field("feedback_type", f.feedback_type);
    field("sender_domain", report.sender_domain);
    out += '}';
    return out;
}

} // namespace sendsentry::bounce
