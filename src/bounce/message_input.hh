// Reading the message pipe(8) hands us on stdin: bounded, and always read to
// the end so Postfix never sees a broken pipe.
#pragma once

#include "core/result.hh"

#include <cstddef>
#include <string>

namespace sendsentry::bounce {

// Bytes kept of one message: enough for any bounce and the quarantine table
// (store::max_quarantine_bytes); the rest is read and dropped.
inline constexpr std::size_t max_message_bytes = 16 * 1024 * 1024;

struct Message {
    std::string text; // at most max_message_bytes
    std::size_t size = 0; // bytes read in all
    bool truncated = false;
};

[[nodiscard]] Result<Message> read_message(int fd, std::size_t max = max_message_bytes);

} // namespace sendsentry::bounce
