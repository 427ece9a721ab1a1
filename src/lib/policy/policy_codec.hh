// The Postfix policy delegation protocol (Postfix SMTPD_POLICY_README): reads
// "name=value" lines up to an empty line into a PolicyRequest and formats the
// "action=..." reply. Used by sendsentry-policyd and the policy benchmark.
#pragma once

#include "core/result.hh"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::policy {

// Named limits on one request. Postfix 3.7 sends about 35 attributes and well
// under 4 KiB even with long TLS certificate subjects; anything far beyond is
// a broken or hostile client, and we would rather close it than buffer it.
struct CodecLimits {
    std::size_t max_request_bytes = 64 * 1024; // bytes up to and including the empty line
    std::size_t max_attributes = 128; // name=value lines in one request
};

// One request: the attributes in the order received. Unknown names are kept
// but nobody asks for them, which is how they are ignored. Names and values
// live in one buffer; clear() keeps its capacity, so a request object that
// is reused (as the reader and the daemon do) allocates nothing per request.
class PolicyRequest {
public:
    // The value of NAME, or "" when absent (Postfix sends empty values too).
    std::string_view get(std::string_view name) const noexcept;
    bool has(std::string_view name) const noexcept;
    // Attribute lines read (a repeated name counts each time).
    std::size_t size() const noexcept { return attributes_.size(); }

    // Appends; when a name repeats, get() returns its last value. NAME and
    // VALUE must not be views of this request (the append may move it).
    void set(std::string_view name, std::string_view value);
    void clear() noexcept
    {
        text_.clear();
        attributes_.clear();
    }

private:
    struct Attribute {
        std::size_t at; // offset of the name in text_; the value follows it
        std::size_t name_size;
        std::size_t value_size;
    };
    std::string_view name_of(const Attribute& a) const noexcept
    {
        return { text_.data() + a.at, a.name_size };
    }
    std::string_view value_of(const Attribute& a) const noexcept
    {
        return { text_.data() + a.at + a.name_size, a.value_size };
    }

    std::string text_;
    std::vector<Attribute> attributes_;
};

// Incremental reader for one connection: append() what read(2) returned, then
// call next() until it says need_more. One request in flight per connection
// (Postfix never pipelines), but a pipelining client is still read in order.
class RequestReader {
public:
    enum class Status { need_more, request, error };

    explicit RequestReader(CodecLimits limits = {})
        : limits_(limits)
    {
    }

    void append(const char* data, std::size_t size) { buffer_.append(data, size); }

    // request: *out holds the next complete request. error: the input is
    // malformed or over a limit; error_message() says which, and the
    // connection must be closed (the stream cannot be resynchronised).
    Status next(PolicyRequest& out);

    const std::string& error_message() const noexcept { return error_; }
    std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

private:
    Status fail(std::string message);

    CodecLimits limits_;
    std::string buffer_;
    std::size_t consumed_ = 0; // bytes of buffer_ already returned as requests
    std::size_t scan_ = 0; // bytes of buffer_ already split into lines
    PolicyRequest pending_; // the attributes of the request being read
    std::size_t pending_lines_ = 0;
    std::string error_;
};

// Parses one whole request (for tests and tools): TEXT must end with the
// empty line and hold exactly one request.
[[nodiscard]] Result<PolicyRequest> parse_request(std::string_view text, CodecLimits limits = {});

// "action=ACTION\n\n", with CR, LF and other control characters in ACTION
// replaced by spaces so that a reply text can never end the reply early or
// inject a second line.
std::string format_response(std::string_view action);

} // namespace sendsentry::policy
