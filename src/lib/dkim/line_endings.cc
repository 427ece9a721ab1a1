// Bare LF / bare CR to CRLF, across chunk boundaries.
#include "dkim/line_endings.hh"

#include <cstring>

namespace sendsentry::dkim {
namespace {

    // True when TEXT has only CRLF pairs (no bare CR or LF) and does not end in CR.
    bool already_crlf(std::string_view text)
    {
        const char* p = text.data();
        const char* end = p + text.size();
        while (p < end) {
            const char* cr
                = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
            const char* lf
                = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
            if (!cr && !lf)
                return true;
            if (!cr || (lf && lf < cr) || cr + 1 >= end || cr[1] != '\n')
                return false;
            p = cr + 2;
        }
        return true;
    }

} // namespace

std::string_view LineEndingNormalizer::feed(std::string_view chunk)
{
    if (!pending_cr_ && already_crlf(chunk))
        return chunk;
    out_.clear();
    out_.reserve(chunk.size() + chunk.size() / 16 + 2);
    for (char c : chunk) {
        if (pending_cr_) {
            pending_cr_ = false;
            out_ += "\r\n";
            if (c == '\n')
                continue;
        }
        if (c == '\r')
            pending_cr_ = true;
        else if (c == '\n')
            out_ += "\r\n";
        else
            out_ += c;
    }
    return out_;
}

std::string_view LineEndingNormalizer::finish()
{
    if (!pending_cr_)
        return {};
    pending_cr_ = false;
    out_ = "\r\n";
    return out_;
}

std::string to_crlf(std::string_view text)
{
    LineEndingNormalizer n;
    std::string out(n.feed(text));
    out += n.finish();
    return out;
}

} // namespace sendsentry::dkim
