// Unsubscribe requests: mail sent to a List-Unsubscribe mailto: target (RFC
// 2369 section 3.2), e.g. by Apple Mail's unsubscribe button. Used by the
// bounce parser; the store scopes the suppression to the sender domain.
#pragma once

#include "mail/mime.hh"

#include <optional>
#include <string>
#include <string_view>

namespace sendsentry::mail {

struct UnsubscribeRequest {
    std::string address; // who asks to stop receiving mail
    std::string list_address; // the unsubscribe address it was sent to
};

// An unsubscribe request when HEADERS (and the envelope recipient the
// message was delivered to) say this is one.
std::optional<UnsubscribeRequest> read_unsubscribe(
    const HeaderList& headers, std::string_view envelope_recipient);

// Whether LOCAL_PART (of the address the message was sent to) is one of the
// unsubscribe forms we hand out: "unsubscribe", "unsubscribe+TAG",
// "unsubscribe-TAG", "opt-out-TAG".
bool is_unsubscribe_local_part(std::string_view local_part);

} // namespace sendsentry::mail
