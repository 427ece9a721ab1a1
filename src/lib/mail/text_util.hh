// Small ASCII text helpers shared by the mail readers: case folding, trimming,
// finding e-mail addresses in free text, making text safe to print.
#pragma once

#include "core/trim.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;

// Collapses runs of white space (including line ends) into one space.
std::string squeeze_spaces(std::string_view s);

// Splits TEXT into lines (LF).
std::vector<std::string_view> split_lines(std::string_view text);

// The first thing that looks like local@domain.tld in TEXT (angle brackets,
// quotes and "mailto:" stripped), lower-cased domain, or "".
std::string find_address(std::string_view text);

// Every address-looking token in TEXT, in order, without duplicates.
std::vector<std::string> find_addresses(std::string_view text, std::size_t max = 64);

// Lower-case the domain part of ADDR (the local part is the receiver's).
std::string normalize_recipient(std::string_view addr);

// Valid UTF-8 copy of S (invalid bytes become '?', controls become spaces),
// at most MAX bytes.
std::string printable_utf8(std::string_view s, std::size_t max = 1024);

} // namespace sendsentry::mail
