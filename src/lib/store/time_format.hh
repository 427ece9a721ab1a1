// Time text: ISO 8601 (UTC) and Unix seconds, for suppression files
// (suppression_format) and every command that prints or reads a time.
#pragma once

#include "store/store.hh"

#include <string>
#include <string_view>

namespace sendsentry::store::format {

// "2026-11-25T16:04:05Z" (UTC, second precision).
std::string iso_time(Time t);
// An ISO-8601 date ("2026-11-25", midnight UTC) or date-time with "Z" or a
// "+hh:mm" offset (fractional seconds dropped), or Unix seconds ("1764086645",
// "1764086645.123" as SES's JSON writes them).
[[nodiscard]] Result<Time> parse_time(std::string_view text);

} // namespace sendsentry::store::format
