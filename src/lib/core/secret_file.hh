// Reading a secret from a file: used for DKIM private keys (dkim/private_key)
// and the return-path HMAC keys (mail/return_path).
#pragma once

#include "core/result.hh"

#include <cstddef>
#include <string>

namespace sendsentry {

// The whole of PATH, a regular file (symbolic links are not followed) of at
// most MAX_BYTES that others can neither read nor write; an error naming the
// path, and the chmod that fixes it, otherwise.
[[nodiscard]] Result<std::string> read_secret_file(const std::string& path, std::size_t max_bytes);

} // namespace sendsentry
