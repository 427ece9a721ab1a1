// The signing identity: the address in the message's header From field
// (RFC 5322 3.6.2). A message with no From, several From fields or several
// addresses in one From has no single author domain and is not signed
// (RFC 6376 8.15). Used by the milter at end of headers.
#pragma once

#include "core/address.hh"
#include "core/result.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

enum class FromProblem {
    none, // one From with one usable address
    missing, // no From field
    several_fields, // more than one From field
    several_addresses, // one From listing more than one mailbox (or a group)
    unparsable, // no address could be read
};

const char* to_string(FromProblem p) noexcept;

struct AuthorResult {
    FromProblem problem = FromProblem::none;
    Address address; // valid when problem == none
    std::string detail; // why an address could not be read
};

// Reads the author from the values of every From field in the message
// (header values as received, folding included).
AuthorResult find_author(const std::vector<std::string_view>& from_values);

// The addr-spec of a single mailbox ("Name <a@b>", "a@b (comment)",
// encoded words and raw UTF-8 in the display name), or an error; a list of
// several mailboxes or a group is an error with kind invalid and a message
// starting "several".
[[nodiscard]] Result<Address> parse_mailbox(std::string_view value);

} // namespace sendsentry::dkim
