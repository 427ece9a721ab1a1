// RFC 7208 section 12 ABNF check of an SPF record, done on every record the
// DNS layer hands to libspf2, whose compiler accepts records the RFC calls
// permerror (empty or one-label domain-specs, bad macros, NUL and non-ASCII
// octets, repeated redirect/exp). Used by spf_dns_layer.cc.
#pragma once

#include <string>
#include <string_view>

namespace sendsentry::auth {

// Whether TXT is an SPF version 1 record at all (RFC 7208 4.5): "v=spf1"
// alone or followed by a space, case-insensitively.
bool is_spf_record(std::string_view txt) noexcept;

// Empty when RECORD (already selected by is_spf_record) is valid; otherwise a
// short reason naming the offending term.
std::string spf_syntax_error(std::string_view record);

// Empty when TEXT is a valid macro-string; EXPLANATION allows the c, r and t
// macro letters and spaces (RFC 7208 7.1, 6.2).
std::string macro_syntax_error(std::string_view text, bool explanation);

} // namespace sendsentry::auth

namespace sendsentry::auth {

// RECORD (valid per spf_syntax_error) rewritten into the subset libspf2
// evaluates as RFC 7208 means it: unknown modifiers dropped, redirect moved
// to the end (or dropped when "all" is present, 6.1), /0 prefixes spelled as
// two /1 halves, and only the client family's prefix length kept.
std::string libspf2_form(std::string_view record, bool client_v6);

// The label libspf2_form puts in front of the domain of an "a" or "mx" with
// prefix length 0; the DNS layer strips it and answers "any address matches".
inline constexpr std::string_view cidr0_marker = "x-sendsentry-cidr0.";

} // namespace sendsentry::auth
