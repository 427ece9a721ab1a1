// Markdown rendering of the key table for README.md.
#include "core/config_reference.hh"

#include "core/config_keys.hh"

#include <cstdio>
#include <string_view>

namespace sendsentry::config {
namespace {

    std::string range_text(const KeySpec& k)
    {
        switch (k.type) {
        case KeyType::integer:
        case KeyType::duration:
            return std::to_string(k.min) + " – " + std::to_string(k.max)
                + (k.type == KeyType::duration ? " s" : "");
        case KeyType::octal: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "0%llo – 0%llo", static_cast<unsigned long long>(k.min),
                static_cast<unsigned long long>(k.max));
            return buf;
        }
        case KeyType::choice: {
            std::string out;
            for (char c : k.choices)
                out += c == '|' ? std::string(", ") : std::string(1, c);
            return out;
        }
        case KeyType::boolean:
            return "yes, no";
        case KeyType::percent:
            return std::to_string(k.min / 10000) + "% – " + std::to_string(k.max / 10000) + "%";
        default:
            return "";
        }
    }

    // Pipes inside a cell would split the Markdown table.
    std::string cell(std::string_view text)
    {
        std::string out;
        for (char c : text)
            out += c == '|' ? std::string("\\|") : std::string(1, c);
        return out;
    }

} // namespace

std::string markdown_reference()
{
    std::string out;
    std::string_view section;
    for (const KeySpec& k : key_table()) {
        if (k.section != section) {
            section = k.section;
            out += "\n### [" + std::string(section) + "]\n\n";
            out += "| key | type | default | range | meaning |\n|---|---|---|---|---|\n";
        }
        out += "| `" + std::string(k.name) + "` | " + std::string(to_string(k.type)) + " | "
            + (k.default_value.empty() ? std::string("(empty)") : "`" + cell(k.default_value) + "`") + " | "
            + cell(range_text(k)) + " | " + cell(k.help) + " |\n";
    }
    return out;
}

} // namespace sendsentry::config
