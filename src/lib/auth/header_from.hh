// RFC 5322 From header field, as DMARC needs it (RFC 7489 6.6.1): exactly one
// From field holding exactly one mailbox. Handles display names, comments,
// quoted strings, RFC 2047 encoded words, groups and folding. Used by the
// outbound check and `sendsentry dmarc`.
#pragma once

#include "core/result.hh"

#include <span>
#include <string>
#include <string_view>

namespace sendsentry::auth {

// A From field longer than this is refused: RFC 5322 2.1.1 allows 998
// octets per line, and a field of more than a few folded lines is abuse.
inline constexpr std::size_t max_from_field = 8192;
// Comments nest (RFC 5322 3.2.2); deeper than this is refused.
inline constexpr int max_comment_depth = 32;

struct HeaderFrom {
    std::string display_name; // decoded (encoded words to UTF-8), may be empty
    std::string local_part; // as written (quotes kept)
    std::string domain; // lower-case A-label form

    std::string address() const { return local_part + "@" + domain; }
};

// Parses one From field value (everything after "From:", folded or not).
[[nodiscard]] Result<HeaderFrom> parse_from_field(std::string_view value);

// FIELDS are the values of every From field of the message: exactly one is
// required (RFC 5322 3.6 and RFC 7489 6.6.1), with exactly one mailbox.
[[nodiscard]] Result<HeaderFrom> parse_header_from(std::span<const std::string> fields);

// RFC 2047 encoded words in TEXT decoded to UTF-8 (B and Q; UTF-8, US-ASCII
// and ISO-8859-1 charsets); words it cannot decode are kept as written.
std::string decode_encoded_words(std::string_view text);

} // namespace sendsentry::auth
