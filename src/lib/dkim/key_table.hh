// OpenDKIM's KeyTable: key name -> "domain:selector:key" where key is a file
// path or inline key data. Parsed once at start and on reload; the keyring
// loads the keys it names, the signing table refers to its names.
#pragma once

#include "core/result.hh"
#include "dkim/table_file.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

struct KeyTableEntry {
    std::string name; // what the SigningTable refers to
    std::string domain; // d=; "%" means the domain of the header From address
    std::string selector; // s=
    std::string key; // a path, or the key itself (PEM or base64 DER)
    bool key_is_path = true;
    Origin origin;
};

class KeyTable {
public:
    // Parses TEXT as read from FILE; collects every broken line before failing.
    [[nodiscard]] static Result<KeyTable> parse(std::string_view text, std::string_view file);
    // Reads SPEC ("file:PATH" or a path).
    [[nodiscard]] static Result<KeyTable> load(std::string_view spec);

    // The entry named NAME (names are case-sensitive, as in OpenDKIM), or null.
    const KeyTableEntry* find(std::string_view name) const noexcept;
    const std::vector<KeyTableEntry>& entries() const noexcept { return entries_; }
    const std::string& file() const noexcept { return file_; }

private:
    std::vector<KeyTableEntry> entries_;
    std::string file_;
};

// OpenDKIM's rule: a key value starting with "/", "./" or "../" is a file.
bool is_key_path(std::string_view value) noexcept;

} // namespace sendsentry::dkim
