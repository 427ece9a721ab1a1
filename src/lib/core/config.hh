// Reads the INI-style configuration file into an immutable, validated Config
// (STYLE.md section 8). Every other module receives a Config; none reads files
// or the environment for settings.
#pragma once

#include "core/config_keys.hh"
#include "core/result.hh"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::config {

inline constexpr const char* default_path = "/etc/sendsentry/sendsentry.conf";

// One problem found in a file: "FILE:LINE: [section] key: message".
struct Diagnostic {
    std::string file;
    int line = 0;
    std::string key; // "section.name" or empty
    std::string message;

    std::string to_string() const;
};

class Config {
public:
    // Every key at its default.
    Config();

    // Accessors take a declared key; asking for an undeclared key or with the
    // wrong type is a programming error and throws std::logic_error.
    const std::string& string(std::string_view section, std::string_view name) const;
    std::int64_t integer(std::string_view section, std::string_view name) const;
    bool boolean(std::string_view section, std::string_view name) const;
    std::chrono::seconds duration(std::string_view section, std::string_view name) const;
    std::vector<std::string> list(std::string_view section, std::string_view name) const;
    // A percent key in parts per million (0.3% -> 3000), exact for comparisons.
    std::int64_t ppm(std::string_view section, std::string_view name) const;

    // Whether the file set the key (rather than the default applying).
    bool is_set(std::string_view section, std::string_view name) const;

    // Where the configuration came from, for messages.
    const std::string& source() const noexcept { return source_; }

private:
    friend class Parser;
    struct Value {
        std::string text;   // as written (or the default), trimmed
        std::int64_t number = 0; // integer, octal, duration (s), boolean (0/1), percent (ppm)
        bool set = false;
    };
    const Value& get(std::string_view section, std::string_view name, KeyType type) const;

    std::map<std::string, Value, std::less<>> values_; // "section.name"
    std::string source_ = "(defaults)";
};

// Parses TEXT as if read from FILE. On failure the error message holds every
// diagnostic, one per line, and `diagnostics` (if given) receives them.
Result<Config> parse(std::string_view text, std::string_view file,
    std::vector<Diagnostic>* diagnostics = nullptr);

// Reads and parses PATH.
Result<Config> load(const std::string& path, std::vector<Diagnostic>* diagnostics = nullptr);

// Parses one value of TYPE; the building blocks are public for tests and for
// command-line options that take the same syntax.
Result<std::int64_t> parse_duration(std::string_view text);
Result<bool> parse_boolean(std::string_view text);
Result<std::int64_t> parse_percent_ppm(std::string_view text);
std::vector<std::string> split_list(std::string_view text);

} // namespace sendsentry::config
