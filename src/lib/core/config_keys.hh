// The one table that declares every configuration key: section, name, type,
// default, range and one line of help (STYLE.md section 8). The parser, the
// sample config in conf/ and the README reference are all checked against it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sendsentry::config {

enum class KeyType {
    string,   // any text
    path,     // a file name; existence is checked by whoever opens it
    integer,  // decimal, within [min, max]
    octal,    // file permission bits such as 0660, within [min, max]
    boolean,  // yes/no, true/false, on/off, 1/0
    duration, // 30s, 5m, 2h, 7d, 1w or plain seconds, within [min, max] seconds
    list,     // comma- or space-separated words
    percent,  // 0.3% or 2%, kept in parts per million, within [min, max] ppm
    choice,   // one of the '|'-separated words in `choices`
};

struct KeySpec {
    std::string_view section;
    std::string_view name;
    KeyType type;
    std::string_view default_value;
    std::int64_t min = 0;
    std::int64_t max = INT64_MAX;
    std::string_view choices = {};
    std::string_view help = {};
};

std::span<const KeySpec> key_table() noexcept;

// The key, or nullptr when SECTION/NAME is not declared.
const KeySpec* find_key(std::string_view section, std::string_view name) noexcept;

std::string_view to_string(KeyType type) noexcept;

} // namespace sendsentry::config
