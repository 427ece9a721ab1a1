// Log sink: syslog (facility mail) and/or stderr, with key=value formatting.
#include "core/log.hh"

#include <atomic>
#include <cstdio>
#include <string>
#include <syslog.h>
#include <unistd.h>

namespace sendsentry::log {
namespace {

    std::atomic<bool> use_syslog { false };
    std::atomic<bool> use_stderr { true };
    std::atomic<int> min_severity { static_cast<int>(Severity::info) };
    std::string syslog_ident; // openlog keeps the pointer; must outlive it

    int syslog_priority(Severity s)
    {
        switch (s) {
        case Severity::debug:
            return LOG_DEBUG;
        case Severity::info:
            return LOG_INFO;
        case Severity::warning:
            return LOG_WARNING;
        case Severity::error:
            return LOG_ERR;
        case Severity::crit:
            return LOG_CRIT;
        }
        return LOG_INFO;
    }

    const char* severity_prefix(Severity s)
    {
        switch (s) {
        case Severity::debug:
            return "debug: ";
        case Severity::warning:
            return "warning: ";
        case Severity::error:
            return "error: ";
        case Severity::crit:
            return "fatal: ";
        case Severity::info:
            break;
        }
        return "";
    }

    bool needs_quotes(std::string_view v)
    {
        if (v.empty())
            return true;
        for (unsigned char c : v)
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
                return true;
        return false;
    }

    void append_value(std::string& out, std::string_view v)
    {
        if (!needs_quotes(v)) {
            out += v;
            return;
        }
        out += '"';
        for (unsigned char c : v) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < ' ' || c == 0x7f) {
                static const char hex[] = "0123456789abcdef";
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '"';
    }

} // namespace

Field::Field(std::string_view k, double v)
    : key(k)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    value = buf;
}

void init(std::string_view program, bool foreground, Severity min)
{
    use_syslog = !foreground || access(_PATH_LOG, W_OK) == 0;
    if (use_syslog) {
        syslog_ident.assign(program);
        openlog(syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    }
    use_stderr = foreground;
    min_severity = static_cast<int>(min);
}

void init_stderr_only(Severity min)
{
    use_syslog = false;
    use_stderr = true;
    min_severity = static_cast<int>(min);
}

std::string format_line(std::string_view id, std::string_view event, Fields fields)
{
    std::string line;
    line.reserve(64 + fields.size() * 24);
    if (!id.empty()) {
        line += id;
        line += ": ";
    }
    line += event;
    for (const Field& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        append_value(line, f.value);
    }
    return line;
}

void Logger::write(Severity severity, std::string_view event, Fields fields) const noexcept
{
    if (static_cast<int>(severity) < min_severity.load(std::memory_order_relaxed))
        return;
    try {
        std::string line = format_line(id_, event, fields);
        if (use_syslog)
            syslog(syslog_priority(severity), "%s%s", severity_prefix(severity), line.c_str());
        if (use_stderr) {
            std::string out = severity_prefix(severity) + line + '\n';
            // One write per line so lines from threads do not interleave.
            [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, out.data(), out.size());
        }
    } catch (...) {
        // Out of memory while logging: nothing sensible is left to do.
    }
}

void Logger::debug(std::string_view e, Fields f) const noexcept { write(Severity::debug, e, f); }
void Logger::info(std::string_view e, Fields f) const noexcept { write(Severity::info, e, f); }
void Logger::warning(std::string_view e, Fields f) const noexcept { write(Severity::warning, e, f); }
void Logger::error(std::string_view e, Fields f) const noexcept { write(Severity::error, e, f); }
void Logger::crit(std::string_view e, Fields f) const noexcept { write(Severity::crit, e, f); }

} // namespace sendsentry::log
