// The envelope of one pipe(8) delivery, with the return-path token read: when
// the recipient is a bounce address the milter made (mail/return_path.hh),
// the token decides which sender domain the bounce belongs to. Used by main.
#pragma once

#include "core/config.hh"
#include "core/log.hh"
#include "core/result.hh"
#include "mail/bounce_parser.hh"

#include <cstdint>
#include <string>

namespace sendsentry::bounce {

// SENDER and RECIPIENT as pipe(8) passes ${sender} and ${recipient}. The key
// file is read only when the recipient has the token form, so plain
// deliveries cost nothing. A valid token sets token_sender_domain; a refused
// one (forged, expired, malformed) is logged and sets token_refused. Fails
// only when the key file cannot be read (the caller defers: nothing is lost).
[[nodiscard]] Result<mail::Envelope> read_envelope(const config::Config& cfg, std::string sender,
    std::string recipient, std::int64_t now, const log::Logger& logger);

// For -n: the [return_path] settings and key file load.
[[nodiscard]] Status check_return_path(const config::Config& cfg);

} // namespace sendsentry::bounce
