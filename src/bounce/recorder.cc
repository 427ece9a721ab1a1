// XXX: the store is not wired in yet; until it is, nothing can be stored and
// pipe(8) must keep the message (EX_TEMPFAIL) rather than lose it.
#include "recorder.hh"

#include "core/log.hh"

#include <sysexits.h>

namespace sendsentry::bounce {

int record(const config::Config&, const mail::Envelope&, const Message&, const mail::BounceReport& report)
{
    log::Logger("sendsentry-bounce").error("store-unavailable", { { "kind", mail::to_string(report.kind) } });
    return EX_TEMPFAIL;
}

} // namespace sendsentry::bounce
