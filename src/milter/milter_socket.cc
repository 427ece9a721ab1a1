// Socket creation, ownership and privilege drop for the milter.
#include "milter/milter_socket.hh"

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <libmilter/mfapi.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sendsentry::milter {
namespace {

    Result<std::pair<uid_t, gid_t>> lookup_owner(const std::string& owner)
    {
        auto colon = owner.find(':');
        std::string user = owner.substr(0, colon);
        passwd* pw = ::getpwnam(user.c_str());
        if (!pw)
            return make_error(ErrorKind::invalid, "[milter] socket_owner: no user \"" + user + "\"");
        gid_t gid = pw->pw_gid;
        if (colon != std::string::npos) {
            std::string group_name = owner.substr(colon + 1);
            struct group* gr = ::getgrnam(group_name.c_str());
            if (!gr)
                return make_error(
                    ErrorKind::invalid, "[milter] socket_owner: no group \"" + group_name + "\"");
            gid = gr->gr_gid;
        }
        return std::pair { pw->pw_uid, gid };
    }

} // namespace

Result<SocketSpec> parse_socket(const std::string& text)
{
    SocketSpec s;
    for (const char* prefix : { "unix:", "local:" }) {
        if (text.rfind(prefix, 0) == 0) {
            s.unix_path = text.substr(std::strlen(prefix));
            if (s.unix_path.empty() || s.unix_path.front() != '/')
                return make_error(ErrorKind::invalid, "[milter] socket: unix socket path must be absolute");
            // sockaddr_un.sun_path holds 108 bytes including the NUL.
            if (s.unix_path.size() > 107)
                return make_error(
                    ErrorKind::invalid, "[milter] socket: unix socket path longer than 107 bytes");
            s.libmilter = "unix:" + s.unix_path;
            return s;
        }
    }
    for (const char* prefix : { "inet:", "inet6:" }) {
        if (text.rfind(prefix, 0) == 0) {
            std::string rest = text.substr(std::strlen(prefix));
            auto at = rest.find('@');
            std::string port = rest.substr(0, at);
            if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5
                || std::stoi(port) > 65535 || std::stoi(port) == 0)
                return make_error(
                    ErrorKind::invalid, "[milter] socket: expected " + std::string(prefix) + "PORT@HOST");
            s.libmilter = text;
            return s;
        }
    }
    return make_error(ErrorKind::invalid, "[milter] socket: expected unix:PATH or inet:PORT@127.0.0.1");
}

Status open_socket(const SocketSpec& spec, const std::string& owner, int mode)
{
    if (smfi_setconn(const_cast<char*>(spec.libmilter.c_str())) != MI_SUCCESS)
        return make_error(ErrorKind::invalid, "smfi_setconn " + spec.libmilter + " failed");
    // Create the unix socket private, then open it up exactly as configured.
    mode_t old = ::umask(0177);
    int rc = smfi_opensocket(true);
    ::umask(old);
    if (rc != MI_SUCCESS)
        return make_error(
            ErrorKind::io, "cannot listen on " + spec.libmilter + " (in use, or no permission?)");
    if (spec.unix_path.empty())
        return {};
    if (!owner.empty()) {
        auto ids = lookup_owner(owner);
        if (!ids)
            return ids.error();
        if (::chown(spec.unix_path.c_str(), ids->first, ids->second) != 0)
            return make_error(ErrorKind::io, spec.unix_path + ": chown: " + std::strerror(errno));
    }
    if (::chmod(spec.unix_path.c_str(), static_cast<mode_t>(mode)) != 0)
        return make_error(ErrorKind::io, spec.unix_path + ": chmod: " + std::strerror(errno));
    return {};
}

Status drop_privileges(const std::string& user)
{
    if (user.empty())
        return {};
    passwd* pw = ::getpwnam(user.c_str());
    if (!pw)
        return make_error(ErrorKind::invalid, "[milter] user: no user \"" + user + "\"");
    if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
        return make_error(ErrorKind::io, "cannot become " + user + ": " + std::strerror(errno));
    if (pw->pw_uid != 0 && ::setuid(0) == 0)
        return make_error(ErrorKind::internal, "could regain root after dropping privileges");
    return {};
}

} // namespace sendsentry::milter
