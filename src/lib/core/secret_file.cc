// Reading a secret (a DKIM private key, the return-path HMAC keys) from a
// file that only its owner and group may read (secret_file.hh).
#include "core/secret_file.hh"

#include "core/unique_fd.hh"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sendsentry {

Result<std::string> read_secret_file(const std::string& path, std::size_t max_bytes)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    struct stat st { };
    if (::fstat(fd.get(), &st) != 0)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return make_error(ErrorKind::invalid, path + ": not a regular file");
    // opendkim refuses such keys too ("key data is not secure"): a key
    // others can read is a key others can sign (or forge tokens) with.
    if (st.st_mode & (S_IROTH | S_IWOTH))
        return make_error(ErrorKind::invalid,
            path + ": readable or writable by others (mode " + std::to_string((st.st_mode >> 6) & 7)
                + std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7)
                + "); chmod o-rwx it");
    if (static_cast<std::size_t>(st.st_size) > max_bytes)
        return make_error(ErrorKind::invalid, path + ": larger than " + std::to_string(max_bytes) + " bytes");
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return make_error(ErrorKind::io, path + ": short read");
        got += static_cast<std::size_t>(n);
    }
    return data;
}

} // namespace sendsentry
