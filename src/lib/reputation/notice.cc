// Building and submitting the state-change mail (see notice.hh).
#include "reputation/notice.hh"

#include "core/log.hh"
#include "core/unique_fd.hh"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sendsentry::reputation {
namespace {

    // A subject or reason from the store is cut here in the mail: names are at
    // most 253 octets, reasons one sentence.
    constexpr std::size_t max_value = 400;

    // Printable text on one line: control characters (CR, LF above all)
    // become '?', so nothing from the store can start a new header field.
    std::string one_line(std::string_view text)
    {
        std::string out;
        for (char c : text.substr(0, max_value))
            out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
        return out;
    }

    std::string rfc5322_date(store::Time at)
    {
        std::time_t t = static_cast<std::time_t>(at);
        std::tm tm {};
        ::gmtime_r(&t, &tm);
        char buf[64];
        std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
        return buf;
    }

    std::string iso(store::Time at)
    {
        std::time_t t = static_cast<std::time_t>(at);
        std::tm tm {};
        ::gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
        return buf;
    }

    std::string rate(std::int64_t count, std::int64_t total)
    {
        return format_ppm(total > 0 ? count * 1000000 / total : 0);
    }

    Status write_all(int fd, std::string_view text)
    {
        while (!text.empty()) {
            ssize_t n = ::write(fd, text.data(), text.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return make_error(
                    ErrorKind::temporary, std::string("writing to sendmail: ") + std::strerror(errno));
            text.remove_prefix(static_cast<std::size_t>(n));
        }
        return {};
    }

    // Writes with SIGPIPE blocked in this thread, so that a sendmail that
    // exits early gives EPIPE instead of killing the caller; a SIGPIPE left
    // pending by the write is consumed before unblocking.
    Status write_without_sigpipe(int fd, std::string_view text)
    {
        sigset_t pipe_set, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
        Status s = write_all(fd, text);
        if (!s) {
            timespec zero {};
            while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) { }
        }
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return s;
    }

} // namespace

StateChange StateChange::of(const Evaluation& evaluation, store::Time at)
{
    return { evaluation.subject, evaluation.previous, evaluation.current, evaluation.reason, at,
        evaluation.windows };
}

NoticeSettings NoticeSettings::from_config(const config::Config& cfg)
{
    return { cfg.string("reputation", "notify_address"), cfg.string("reputation", "sendmail_command") };
}

std::string state_change_mail(const StateChange& change, std::string_view to)
{
    std::string subject = one_line(change.subject);
    std::string rcpt = one_line(to);
    std::string from(store::to_string(change.from));
    std::string now(store::to_string(change.to));
    std::string m;
    m += "From: sendsentry <" + rcpt + ">\n";
    m += "To: <" + rcpt + ">\n";
    m += "Subject: sendsentry: sender " + subject + " is now " + now + " (was " + from + ")\n";
    m += "Date: " + rfc5322_date(change.at) + "\n";
    m += "Auto-Submitted: auto-generated\n"; // RFC 3834: no auto-replies to this
    m += "MIME-Version: 1.0\n";
    m += "Content-Type: text/plain; charset=utf-8\n";
    m += "Content-Transfer-Encoding: 8bit\n";
    m += "\n";
    m += "Sender:  " + subject + "\n";
    m += "Change:  " + from + " -> " + now + " at " + iso(change.at) + "\n";
    if (!change.reason.empty())
        m += "Reason:  " + one_line(change.reason) + "\n";
    for (const WindowCounts& w : change.windows) {
        const Counts& c = w.counts;
        m += "Last " + window_name(w.window) + ": sent " + std::to_string(c.sent) + ", hard bounces "
            + std::to_string(c.hard_bounces) + " (" + rate(c.hard_bounces, c.sent) + "), complaints "
            + std::to_string(c.complaints) + " (" + rate(c.complaints, c.sent) + ")\n";
    }
    m += "\n";
    if (change.to == State::suspended)
        m += "The policy daemon now refuses this sender's mail. After the cause is fixed:\n"
             "  sendsentry sender resume "
            + subject + " --why \"...\"\n";
    else
        m += "Details: sendsentry sender show " + subject + "\n";
    return m;
}

Status send_mail(const std::string& command, const std::string& address, std::string_view message)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return make_error(ErrorKind::temporary, std::string("pipe: ") + std::strerror(errno));
    UniqueFd read_end(fds[0]), write_end(fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, read_end.get(), STDIN_FILENO);
    // -oi: a line with a single dot is text, not the end (sendmail(1)).
    std::string arg0 = command, oi = "-oi", dashes = "--", rcpt = address;
    char* argv[] = { arg0.data(), oi.data(), dashes.data(), rcpt.data(), nullptr };
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, command.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return make_error(ErrorKind::temporary, "cannot run " + command + ": " + std::strerror(rc));
    read_end.reset();
    Status written = write_without_sigpipe(write_end.get(), message);
    write_end.reset(); // end of the message
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    if (!written)
        return written;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return make_error(ErrorKind::temporary,
            command + " failed ("
                + (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : std::string("signal"))
                + ")");
    return {};
}

void notify(const NoticeSettings& settings, const StateChange& change) noexcept
{
    try {
        if (!settings.enabled())
            return;
        log::Logger logger(change.subject);
        auto sent = send_mail(
            settings.sendmail_command, settings.address, state_change_mail(change, settings.address));
        if (sent)
            logger.info("state_notice_sent", { { "to", settings.address } });
        else
            logger.warning(
                "state_notice_failed", { { "to", settings.address }, { "error", sent.error().message } });
    } catch (const std::exception& e) {
        log::Logger(change.subject).warning("state_notice_failed", { { "error", e.what() } });
    }
}

} // namespace sendsentry::reputation
