// RFC 3834 automatic responses (vacation notices, out-of-office replies):
// they are not bounces and must never suppress an address. Used by the
// bounce parser.
#pragma once

#include "mail/mime.hh"

namespace sendsentry::mail {

// Whether HEADERS mark the message as an automatic reply rather than a
// delivery failure (Auto-Submitted: auto-replied, X-Autoreply, an
// out-of-office subject, ...).
bool is_auto_reply(const HeaderList& headers);

} // namespace sendsentry::mail
