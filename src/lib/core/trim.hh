// Trimming of ASCII blanks, for every reader of text files and protocol
// fields. The default set is all ASCII white space; a format that treats
// some of it as data (CSV fields keep CR and LF out already, a time field
// allows only spaces and tabs) passes its own.
#pragma once

#include <string_view>

namespace sendsentry {

inline constexpr std::string_view ascii_whitespace = " \t\r\n\f\v";

// TEXT without leading and trailing characters of BLANKS.
std::string_view trim(std::string_view text, std::string_view blanks = ascii_whitespace) noexcept;

} // namespace sendsentry
