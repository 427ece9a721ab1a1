// Renders the configuration key table as the Markdown reference in README.md,
// so the documentation is generated from (and checked against) the table.
#pragma once

#include <string>

namespace sendsentry::config {

// One Markdown table per section: key, type, default, range, meaning.
std::string markdown_reference();

} // namespace sendsentry::config
