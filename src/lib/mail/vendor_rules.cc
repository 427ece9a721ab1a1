// Provider-specific wording (see vendor_rules.hh).
#include "mail/vendor_rules.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {

std::string vendor_reason(const ClassifyInput& in, std::string_view notice)
{
    (void)in;
    (void)notice;
    return {};
}

} // namespace sendsentry::mail
