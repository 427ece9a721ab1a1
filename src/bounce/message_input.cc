// read(2) loop with EINTR handling; drains past the cap.
#include "message_input.hh"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace sendsentry::bounce {

Result<Message> read_message(int fd, std::size_t max)
{
    Message m;
    char buf[64 * 1024];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return make_error(ErrorKind::io, std::string("reading the message: ") + std::strerror(errno));
        }
        if (n == 0)
            break;
        std::size_t got = static_cast<std::size_t>(n);
        m.size += got;
        if (m.text.size() < max)
            m.text.append(buf, std::min(got, max - m.text.size()));
        if (m.size > max)
            m.truncated = true;
    }
    return m;
}

} // namespace sendsentry::bounce
