// Rendering and atomic publication of Prometheus text metrics.
#include "metrics/exposition.hh"

#include "core/unique_fd.hh"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace sendsentry::metrics {
namespace {

    bool valid_name(std::string_view name)
    {
        if (name.empty())
            return false;
        for (std::size_t i = 0; i < name.size(); ++i) {
            char c = name[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
                || (i > 0 && c >= '0' && c <= '9');
            if (!ok)
                return false;
        }
        return true;
    }

    // Label values escape backslash, double quote and newline; HELP text
    // escapes backslash and newline (exposition format specification).
    std::string escape(std::string_view v, bool quote)
    {
        std::string out;
        for (char c : v) {
            if (c == '\\')
                out += "\\\\";
            else if (c == '\n')
                out += "\\n";
            else if (quote && c == '"')
                out += "\\\"";
            else
                out += c;
        }
        return out;
    }

    std::string number(double v)
    {
        if (std::isnan(v))
            return "NaN";
        if (std::isinf(v))
            return v > 0 ? "+Inf" : "-Inf";
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        return buf;
    }

    Error io_error(const std::string& what, const std::string& path)
    {
        return make_error(ErrorKind::io, what + " " + path + ": " + std::strerror(errno));
    }

} // namespace

void Exposition::declare(std::string_view name, Type type, std::string_view help)
{
    if (!valid_name(name))
        throw std::invalid_argument("invalid metric name " + std::string(name));
    if (families_.find(name) != families_.end())
        return;
    order_.emplace_back(name);
    families_.emplace(std::string(name), Family { type, std::string(help), {} });
}

void Exposition::add(std::string_view name, const Labels& labels, double value)
{
    auto it = families_.find(name);
    if (it == families_.end())
        throw std::invalid_argument("undeclared metric " + std::string(name));
    std::string line(name);
    if (!labels.empty()) {
        line += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (!valid_name(labels[i].first) || labels[i].first.find(':') != std::string::npos)
                throw std::invalid_argument("invalid label name " + labels[i].first);
            line += (i ? "," : "") + labels[i].first + "=\"" + escape(labels[i].second, true) + '"';
        }
        line += '}';
    }
    line += ' ' + number(value);
    it->second.samples.push_back(std::move(line));
}

std::string Exposition::render() const
{
    std::string out;
    for (const std::string& name : order_) {
        const Family& f = families_.find(name)->second;
        out += "# HELP " + name + ' ' + escape(f.help, false) + '\n';
        out += "# TYPE " + name + (f.type == Type::gauge ? " gauge\n" : " counter\n");
        for (const std::string& s : f.samples)
            out += s + '\n';
    }
    return out;
}

Status write_textfile(const std::string& path, std::string_view text)
{
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0)
        return io_error("cannot create", tmp);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            Error e = io_error("cannot write", tmp);
            ::unlink(tmp.c_str());
            return e;
        }
        done += static_cast<std::size_t>(n);
    }
    if (fd.reset() != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        Error e = io_error("cannot publish", path);
        ::unlink(tmp.c_str());
        return e;
    }
    return {};
}

} // namespace sendsentry::metrics
