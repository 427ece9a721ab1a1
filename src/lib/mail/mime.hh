// A small streaming-free MIME reader for bounce messages: normalises line ends,
// unfolds and decodes headers, walks multipart bodies and decodes base64 and
// quoted-printable leaves. Used by the bounce parser (mail/bounce_parser.cc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

// Work caps: a bounce never needs more than its first parts, so a hostile or
// huge message costs a bounded amount of time (issue 6: 20 MB in a fraction
// of a second).
struct MimeLimits {
    std::size_t max_bytes = 4 * 1024 * 1024; // bytes of the message looked at at all
    std::size_t max_headers = 500; // header fields kept per entity
    std::size_t max_parts = 64; // leaf parts kept
    int max_depth = 8; // nesting of multipart / message/rfc822
};

struct Header {
    std::string name; // as written
    std::string value; // unfolded, RFC 2047 words decoded, trimmed
};

class HeaderList {
public:
    // First value of NAME (case-insensitive), or "".
    std::string_view get(std::string_view name) const noexcept;
    bool has(std::string_view name) const noexcept;
    const std::vector<Header>& all() const noexcept { return fields_; }
    void add(std::string name, std::string value)
    {
        fields_.push_back({ std::move(name), std::move(value) });
    }

private:
    std::vector<Header> fields_;
};

// One leaf of the MIME tree.
struct MimePart {
    std::string type; // lower-case "type/subtype"; "text/plain" when absent
    std::string charset; // lower-case, may be empty
    std::string body; // transfer-decoded bytes
    HeaderList headers;
    int depth = 0;
};

struct MimeMessage {
    HeaderList headers; // the top-level header
    std::string type; // top-level content type, lower-case
    std::string report_type; // report-type parameter of multipart/report
    std::vector<MimePart> parts; // leaves in document order
    bool truncated = false; // a cap was reached
};

// Converts CRLF and bare CR to LF.
std::string normalize_line_ends(std::string_view raw);

// Parses a header block (up to the first empty line) from TEXT, which must use
// LF line ends; returns the offset of the body.
std::size_t parse_header_block(std::string_view text, HeaderList& out, std::size_t max_headers);

// Reads a whole message (any line ends).
MimeMessage parse_mime(std::string_view raw, const MimeLimits& limits = {});

// Helpers shared by the DSN, ARF and vendor-text readers.
std::string decode_base64(std::string_view in);
std::string decode_quoted_printable(std::string_view in);
std::string decode_rfc2047(std::string_view in);

// Lower-cased "type/subtype" and one parameter of a Content-Type value.
std::string content_type_of(std::string_view value);
std::string header_parameter(std::string_view value, std::string_view name);

} // namespace sendsentry::mail
