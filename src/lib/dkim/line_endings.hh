// Streaming line-ending repair for the signer: bare LF and bare CR become
// CRLF before libopendkim canonicalises (RFC 6376 3.4 works on CRLF lines;
// a message that reaches us with bare LFs would otherwise be hashed in a
// form the receiver never sees). Chunks may split a CR from its LF.
#pragma once

#include <string>
#include <string_view>

namespace sendsentry::dkim {

class LineEndingNormalizer {
public:
    // Returns CHUNK with line endings repaired. The view is CHUNK itself when
    // nothing needed changing (the common case: Postfix sends CRLF), else
    // points into an internal buffer valid until the next call.
    std::string_view feed(std::string_view chunk);

    // What is still held back at the end (a final lone CR becomes CRLF).
    std::string_view finish();

private:
    std::string out_;
    bool pending_cr_ = false;
};

// One-shot form for header values: every CRLF, LF or CR becomes CRLF.
std::string to_crlf(std::string_view text);

} // namespace sendsentry::dkim
