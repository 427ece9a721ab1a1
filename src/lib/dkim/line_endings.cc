// Bare LF / bare CR to CRLF, across chunk boundaries.
#include "dkim/line_endings.hh"

namespace sendsentry::dkim {

std::string to_crlf(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    LineEndingNormalizer n;
    auto append = [&out](std::string_view piece) { out += piece; };
    n.feed(text, append);
    n.finish(append);
    return out;
}

} // namespace sendsentry::dkim
