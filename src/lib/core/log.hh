// Logging for every program: syslog facility mail, optionally stderr, one line
// per event as "ID: event key=value ...", the queue or connection id first
// (STYLE.md section 6). Programs never call syslog() themselves.
#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sendsentry::log {

// info = normal event, warning = recovered, error = this transaction failed,
// crit = cannot go on.
enum class Severity { debug, info, warning, error, crit };

struct Field {
    Field(std::string_view k, std::string_view v)
        : key(k)
        , value(v)
    {
    }
    Field(std::string_view k, const char* v)
        : key(k)
        , value(v ? v : "")
    {
    }
    Field(std::string_view k, const std::string& v)
        : key(k)
        , value(v)
    {
    }
    template <std::integral I>
    Field(std::string_view k, I v)
        : key(k)
        , value(std::is_same_v<I, bool> ? (v ? "yes" : "no") : std::to_string(v))
    {
    }
    Field(std::string_view k, double v);

    std::string_view key;
    std::string value;
};

using Fields = std::initializer_list<Field>;

// Opens syslog under PROGRAM with facility mail; with FOREGROUND, lines also
// go to stderr, and only there when no syslog daemon listens on /dev/log
// (containers, test machines: glibc would otherwise retry the connection on
// every line). Lines below MIN are dropped. Call once, before threads start.
void init(std::string_view program, bool foreground, Severity min = Severity::info);

// Sends everything to stderr only (tools and tests that must not syslog).
void init_stderr_only(Severity min = Severity::info);

// "ID: event k=v k2="v 2"": values with spaces, quotes, '=' or control
// characters are quoted and escaped so a line stays one parsable line.
std::string format_line(std::string_view id, std::string_view event, Fields fields);

// A logger bound to one id (queue id, connection id, program name).
class Logger {
public:
    Logger() = default;
    explicit Logger(std::string id)
        : id_(std::move(id))
    {
    }

    const std::string& id() const noexcept { return id_; }

    void debug(std::string_view event, Fields fields = {}) const noexcept;
    void info(std::string_view event, Fields fields = {}) const noexcept;
    void warning(std::string_view event, Fields fields = {}) const noexcept;
    void error(std::string_view event, Fields fields = {}) const noexcept;
    void crit(std::string_view event, Fields fields = {}) const noexcept;
    void write(Severity severity, std::string_view event, Fields fields) const noexcept;

private:
    std::string id_;
};

} // namespace sendsentry::log
