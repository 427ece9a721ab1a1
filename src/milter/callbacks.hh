// The libmilter callback table: noexcept trampolines that find the
// connection's Session, call it, and map the outcome to a milter verdict.
#pragma once

#include "milter/engine.hh"

#include <libmilter/mfapi.h>

namespace sendsentry::milter {

// The table smfi_register() takes; ENGINES must outlive smfi_main().
smfiDesc make_callbacks(const EngineSlot& engines);

} // namespace sendsentry::milter
