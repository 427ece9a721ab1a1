// Plain text from an HTML body (tags dropped, block ends as line ends, the
// common entities decoded), for bounces that only come as text/html.
#pragma once

#include <string>
#include <string_view>

namespace sendsentry::mail {

std::string html_to_text(std::string_view html);

} // namespace sendsentry::mail
