// UniqueFd: the one owner of a file descriptor or socket (STYLE.md section 3).
// Move-only; closes in the destructor. Used by every module that opens files
// or sockets (metrics textfile, policy daemon listeners and connections, DNS).
#pragma once

#include <unistd.h>
#include <utility>

namespace sendsentry {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept
        : fd_(fd)
    {
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept
        : fd_(other.release())
    {
    }
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        if (this != &other)
            reset(other.release());
        return *this;
    }
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }

    // Gives up ownership without closing.
    int release() noexcept { return std::exchange(fd_, -1); }

    // Closes the descriptor held (if any) and takes FD; returns close()'s
    // result so that callers who must know (a file just written) can check it.
    int reset(int fd = -1) noexcept
    {
        int rc = 0;
        if (fd_ >= 0)
            rc = ::close(fd_);
        fd_ = fd;
        return rc;
    }

private:
    int fd_ = -1;
};

} // namespace sendsentry
