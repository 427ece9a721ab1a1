// See trim.hh.
#include "core/trim.hh"

namespace sendsentry {

std::string_view trim(std::string_view text, std::string_view blanks) noexcept
{
    auto b = text.find_first_not_of(blanks);
    if (b == std::string_view::npos)
        return {};
    return text.substr(b, text.find_last_not_of(blanks) - b + 1);
}

} // namespace sendsentry
