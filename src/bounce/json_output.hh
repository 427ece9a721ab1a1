// The --json output of sendsentry-bounce: one object per failed recipient
// per line, the interface tests and tools read (issue 6).
#pragma once

#include "mail/bounce_parser.hh"

#include <string>

namespace sendsentry::bounce {

// One line (without the newline) for failure F of REPORT.
std::string failure_json(const mail::Failure& f, const mail::BounceReport& report);

} // namespace sendsentry::bounce
