// Receiver- and sender-MTA-specific classification: wording that means one
// thing at one provider (e.g. Google's and Microsoft's own codes) and
// something else elsewhere. Consulted before the generic rules.
#pragma once

#include "mail/bounce_rules.hh"

#include <string>
#include <string_view>

namespace sendsentry::mail {

// The reason the remote host's or reporting MTA's own wording implies, or "".
std::string vendor_reason(const ClassifyInput& in, std::string_view notice);

} // namespace sendsentry::mail
