// DNS wire format (RFC 1035 section 4): builds one query and decodes the
// answer of a recursive resolver into typed records. Used by the stub
// resolver (resolver.cc) and by its tests; no I/O here.
#pragma once

#include "core/result.hh"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::auth {

enum class RrType : std::uint16_t {
    a = 1,
    ns = 2,
    cname = 5,
    soa = 6,
    ptr = 12,
    mx = 15,
    txt = 16,
    aaaa = 28,
    spf = 99,
};

const char* to_string(RrType type) noexcept;

// Limits of RFC 1035 section 2.3.4: a name of at most 255 octets on the
// wire (253 characters in text), labels of 1..63 octets.
inline constexpr std::size_t max_name_length = 253;
inline constexpr std::size_t max_label_length = 63;
// The largest message we accept over TCP (RFC 1035 4.2.2 length prefix).
inline constexpr std::size_t max_message_size = 65535;

// One record of the answer section, already decoded:
//  a / aaaa: 4 / 16 address octets; txt: the character-strings concatenated
//  (RFC 7208 3.3); mx: exchange name with `preference`; ptr / cname: name.
struct DnsRecord {
    RrType type = RrType::a;
    std::string name; // owner, lower-case, no trailing dot
    std::string data;
    std::uint16_t preference = 0;
    std::uint32_t ttl = 0;
    std::size_t strings = 1; // txt: how many character-strings it had
};

enum class Rcode : std::uint8_t {
    noerror = 0,
    formerr = 1,
    servfail = 2,
    nxdomain = 3,
    notimp = 4,
    refused = 5
};

struct DnsResponse {
    std::uint16_t id = 0;
    Rcode rcode = Rcode::noerror;
    bool truncated = false;
    std::string question_name; // lower-case
    std::uint16_t question_type = 0;
    std::vector<DnsRecord> answers;
    // Negative-caching TTL from the SOA in the authority section (RFC 2308
    // section 5), or 0 when there was none.
    std::uint32_t negative_ttl = 0;
};

// Whether NAME (text, dots between labels, optional trailing dot) fits the
// limits above; octets inside labels are not restricted (macro expansions
// may produce any).
bool valid_query_name(std::string_view name) noexcept;

// A standard recursive query for NAME/TYPE with id ID (no EDNS).
[[nodiscard]] Result<std::string> encode_query(std::uint16_t id, std::string_view name, RrType type);

// Decodes MESSAGE; records of types other than those in RrType are skipped.
[[nodiscard]] Result<DnsResponse> decode_response(std::string_view message);

} // namespace sendsentry::auth
