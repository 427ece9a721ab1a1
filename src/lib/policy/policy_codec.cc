// Policy protocol reader and reply formatter; see policy_codec.hh.
#include "policy/policy_codec.hh"

#include <cstring>

namespace sendsentry::policy {

// Searched from the back so that a repeated name's last value wins, while
// set() stays a plain append (a request has ~35 attributes; no index needed).
std::string_view PolicyRequest::get(std::string_view name) const noexcept
{
    for (auto it = attributes_.rbegin(); it != attributes_.rend(); ++it)
        if (name_of(*it) == name)
            return value_of(*it);
    return {};
}

bool PolicyRequest::has(std::string_view name) const noexcept
{
    for (const Attribute& a : attributes_)
        if (name_of(a) == name)
            return true;
    return false;
}

void PolicyRequest::set(std::string_view name, std::string_view value)
{
    attributes_.push_back({ text_.size(), name.size(), value.size() });
    text_ += name;
    text_ += value;
}

RequestReader::Status RequestReader::fail(std::string message)
{
    error_ = std::move(message);
    return Status::error;
}

RequestReader::Status RequestReader::next(PolicyRequest& out)
{
    if (!error_.empty())
        return Status::error;
    // Lines before scan_ belong to pending_ already, so a request trickling
    // in one byte per read is still parsed in linear time.
    for (;;) {
        const char* base = buffer_.data();
        const void* nl_ptr = std::memchr(base + scan_, '\n', buffer_.size() - scan_);
        if (!nl_ptr) {
            if (buffer_.size() - consumed_ > limits_.max_request_bytes)
                return fail("request longer than " + std::to_string(limits_.max_request_bytes) + " bytes");
            // Drop what was already answered so the buffer never holds more
            // than one request.
            if (consumed_ > 0) {
                buffer_.erase(0, consumed_);
                scan_ -= consumed_;
                consumed_ = 0;
            }
            return Status::need_more;
        }
        std::size_t nl = static_cast<const char*>(nl_ptr) - base;
        if (nl + 1 - consumed_ > limits_.max_request_bytes)
            return fail("request longer than " + std::to_string(limits_.max_request_bytes) + " bytes");
        std::string_view line(base + scan_, nl - scan_);
        scan_ = nl + 1;
        if (!line.empty() && line.back() == '\r') // CRLF from hand-written clients
            line.remove_suffix(1);
        if (line.empty()) {
            consumed_ = scan_;
            if (pending_lines_ == 0)
                return fail("empty request");
            // Swap rather than move: the next request reuses the buffers.
            std::swap(out, pending_);
            pending_.clear();
            pending_lines_ = 0;
            return Status::request;
        }
        if (++pending_lines_ > limits_.max_attributes)
            return fail("more than " + std::to_string(limits_.max_attributes) + " attributes");
        if (line.find('\0') != std::string_view::npos)
            return fail("NUL byte in attribute line " + std::to_string(pending_lines_));
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
            return fail("attribute line " + std::to_string(pending_lines_) + " has no '='");
        if (eq == 0)
            return fail("attribute line " + std::to_string(pending_lines_) + " has an empty name");
        pending_.set(line.substr(0, eq), line.substr(eq + 1));
    }
}

Result<PolicyRequest> parse_request(std::string_view text, CodecLimits limits)
{
    RequestReader reader(limits);
    reader.append(text.data(), text.size());
    PolicyRequest request;
    switch (reader.next(request)) {
    case RequestReader::Status::request:
        if (reader.buffered() != 0)
            return make_error(ErrorKind::invalid, "data after the end of the request");
        return request;
    case RequestReader::Status::need_more:
        return make_error(ErrorKind::invalid, "request does not end with an empty line");
    case RequestReader::Status::error:
        break;
    }
    return make_error(ErrorKind::invalid, reader.error_message());
}

std::string format_response(std::string_view action)
{
    std::string out;
    out.reserve(action.size() + 9);
    out += "action=";
    for (char c : action)
        out += (static_cast<unsigned char>(c) < ' ' || c == 0x7f) ? ' ' : c;
    out += "\n\n";
    return out;
}

} // namespace sendsentry::policy
