// The receivers' phrases that name a bounce reason (Sisimai's taxonomy) and
// the scan that finds the first of them in a diagnostic text. Used by
// bounce_rules (reason_from_text).
#pragma once

#include <cstddef>
#include <string_view>

namespace sendsentry::mail {

// Text looked at for phrases: a receiver's reason fits in far less, and the
// scan is the parser's main cost (bench/bounce_bench.sh).
inline constexpr std::size_t max_phrase_scan = 6 * 1024;

// The reason of the earliest phrase, in table order, found anywhere in TEXT
// (lower-case, spaces squeezed, SMTP continuation prefixes removed); "" when
// none matches.
std::string_view scan_phrases(std::string_view text);

} // namespace sendsentry::mail
