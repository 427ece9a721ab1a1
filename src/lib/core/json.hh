// JSON string literals (RFC 8259 section 7) for every --json output and the
// bounce program's JSON lines: one escaping rule, always valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace sendsentry {

// TEXT as a JSON string literal, quotes included. Control characters are
// escaped; bytes that are not UTF-8 (8-bit junk in bounces, Latin-1 notes)
// become U+FFFD, since JSON text must be UTF-8.
std::string json_string(std::string_view text);

} // namespace sendsentry
