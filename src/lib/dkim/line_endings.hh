// Streaming line-ending repair for the signer: bare LF and bare CR become
// CRLF before libopendkim canonicalises (RFC 6376 3.4 works on CRLF lines;
// a message that reaches us with bare LFs would otherwise be hashed in a
// form the receiver never sees). Chunks may split a CR from its LF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sendsentry::dkim {

class LineEndingNormalizer {
public:
    // Passes CHUNK to SINK (called with std::string_view pieces) with line
    // endings repaired, without copying: a clean CRLF chunk (what Postfix
    // sends) is one piece; each repair splits off a small piece.
    template <class Sink> void feed(std::string_view chunk, Sink&& sink)
    {
        if (pending_cr_ && !chunk.empty()) {
            pending_cr_ = false;
            sink(std::string_view("\r\n"));
            if (chunk.front() == '\n')
                chunk.remove_prefix(1);
        }
        std::size_t start = 0;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            char c = chunk[i];
            if (c == '\r') {
                if (i + 1 == chunk.size()) { // CR at the end: its LF may follow
                    pending_cr_ = true;
                    flush(chunk, start, i, sink);
                    start = chunk.size();
                } else if (chunk[i + 1] == '\n') {
                    ++i; // a proper CRLF
                } else { // bare CR
                    flush(chunk, start, i + 1, sink);
                    sink(std::string_view("\n"));
                    start = i + 1;
                }
            } else if (c == '\n') { // bare LF
                flush(chunk, start, i, sink);
                sink(std::string_view("\r\n"));
                start = i + 1;
            }
        }
        flush(chunk, start, chunk.size(), sink);
    }

    // At the end of the data: a final lone CR becomes CRLF.
    template <class Sink> void finish(Sink&& sink)
    {
        if (pending_cr_)
            sink(std::string_view("\r\n"));
        pending_cr_ = false;
    }

private:
    template <class Sink>
    static void flush(std::string_view chunk, std::size_t from, std::size_t to, Sink& sink)
    {
        if (to > from)
            sink(chunk.substr(from, to - from));
    }

    bool pending_cr_ = false;
};

// One-shot form for header values: every CRLF, LF or CR becomes CRLF.
std::string to_crlf(std::string_view text);

} // namespace sendsentry::dkim
