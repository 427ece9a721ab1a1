// Reading SMTP facts out of free text: RFC 3463 enhanced status codes, RFC
// 5321 reply codes, the command that was refused and the remote host. Used by
// the DSN and vendor-text readers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::mail {

// The first enhanced status code ("5.1.1") in TEXT that stands alone (not a
// part of an IP address or version number), or "".
std::string find_status_code(std::string_view text);

// Every such code in TEXT, in order, at most MAX.
std::vector<std::string> find_status_codes(std::string_view text, std::size_t max = 16);

// The first SMTP reply code (2xx/4xx/5xx followed by a space, '-' or the
// status code) in TEXT, or "".
std::string find_reply_code(std::string_view text);

// "RCPT", "MAIL", "DATA", "EHLO", "HELO", "CONN" or "" for the command an
// error answered ("in reply to RCPT TO command", "after end of data", ...).
std::string find_command(std::string_view text);

// The remote host named in TEXT ("host mx.example.com[192.0.2.1] said",
// "while talking to mx.example.com.", "remote host 192.0.2.1 said"), or "".
std::string find_remote_host(std::string_view text);

} // namespace sendsentry::mail
