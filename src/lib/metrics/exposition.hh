// Prometheus text exposition format (version 0.0.4): what node_exporter's
// textfile collector reads and what a scrape of /metrics returns. Used by the
// CLI (`sendsentry metrics`) to publish per-sender volumes, rates and states.
#pragma once

#include "core/result.hh"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::metrics {

enum class Type { gauge, counter };

using Labels = std::vector<std::pair<std::string, std::string>>;

// A set of metric families, rendered in the order they were first declared.
class Exposition {
public:
    // Declares a family; NAME must match [a-zA-Z_:][a-zA-Z0-9_:]* (a
    // programming error otherwise: std::invalid_argument).
    void declare(std::string_view name, Type type, std::string_view help);

    // Adds one sample to a declared family (std::invalid_argument otherwise).
    void add(std::string_view name, const Labels& labels, double value);

    std::string render() const;

private:
    struct Family {
        Type type;
        std::string help;
        std::vector<std::string> samples; // rendered "name{labels} value"
    };
    std::vector<std::string> order_;
    std::map<std::string, Family, std::less<>> families_;
};

// Writes TEXT to PATH atomically (temporary file in the same directory, then
// rename), as the textfile collector requires: it must never read half a file.
[[nodiscard]] Status write_textfile(const std::string& path, std::string_view text);

} // namespace sendsentry::metrics
