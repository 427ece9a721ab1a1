// Reads OpenDKIM "data set" flat files (KeyTable, SigningTable): the
// "file:"/"refile:" prefixes, "#" comments, one "key value" pair per line.
// Used by key_table and signing_table; every problem names FILE:LINE.
#pragma once

#include "core/result.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

// A table line longer than this is a broken file; an inline RSA-8192 key in
// base64 DER is about 6.5 KB, so this leaves room.
inline constexpr std::size_t max_table_line = 16 * 1024;
// More entries than this is not a table anyone maintains by hand; refuse
// rather than slow every lookup.
inline constexpr std::size_t max_table_entries = 100000;
// A table file larger than this is refused before reading.
inline constexpr std::size_t max_table_bytes = 64 * 1024 * 1024;

// Where a table entry came from, for messages.
struct Origin {
    std::string file;
    int line = 0;

    std::string str() const { return file + ":" + std::to_string(line); }
};

// One "key value" line; the value is the rest of the line, trimmed.
struct TableLine {
    Origin origin;
    std::string key;
    std::string value;
};

enum class DatasetKind {
    file, // "file:PATH" or a plain path: exact lookups
    refile, // "refile:PATH": keys are wildcard patterns, checked in order
};

struct Dataset {
    DatasetKind kind = DatasetKind::file;
    std::string path;
};

// Parses an OpenDKIM data-set name. Only flat files are supported; db:, dsn:,
// ldap:, lua: and csl: data sets are refused with a message saying so.
[[nodiscard]] Result<Dataset> parse_dataset(std::string_view spec);

// Splits TEXT (read from FILE) into lines. On failure the message lists every
// problem, one "FILE:LINE: ..." per line.
[[nodiscard]] Result<std::vector<TableLine>> parse_table(std::string_view text, std::string_view file);

// Reads PATH whole (bounded by max_table_bytes).
[[nodiscard]] Result<std::string> read_table_file(const std::string& path);

} // namespace sendsentry::dkim
