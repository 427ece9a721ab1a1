// Result<T>: a value or an Error, the return type of every library function
// whose failure the caller must plan for (STYLE.md section 5). g++ 12 has no
// std::expected, so this is the small subset we use.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sendsentry {

// What kind of failure, so that callers can map it to their host's signal.
enum class ErrorKind {
    invalid,   // the input is wrong; retrying the same input will not help
    not_found, // the thing asked for does not exist
    temporary, // could not tell: locked database, DNS timeout; retry later
    corrupt,   // stored data is damaged; an operator must look
    io,        // the operating system refused (open, read, write, socket)
    internal,  // a broken invariant or a library failure
};

const char* to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message;

    bool temporary() const noexcept { return kind == ErrorKind::temporary; }
};

inline Error make_error(ErrorKind kind, std::string message)
{
    return Error { kind, std::move(message) };
}

template <class T> class [[nodiscard]] Result {
public:
    Result(T value)
        : state_(std::in_place_index<0>, std::move(value))
    {
    }
    Result(Error error)
        : state_(std::in_place_index<1>, std::move(error))
    {
    }

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error)
        : error_(std::move(error))
        , failed_(true)
    {
    }

    bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool failed_ = false;
};

using Status = Result<void>;

} // namespace sendsentry
