// Names of error kinds, for log lines and messages.
#include "core/result.hh"

namespace sendsentry {

const char* to_string(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::invalid:
        return "invalid";
    case ErrorKind::not_found:
        return "not_found";
    case ErrorKind::temporary:
        return "temporary";
    case ErrorKind::corrupt:
        return "corrupt";
    case ErrorKind::io:
        return "io";
    case ErrorKind::internal:
        return "internal";
    }
    return "unknown";
}

} // namespace sendsentry
