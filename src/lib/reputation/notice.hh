// The mail that tells an administrator a sender changed state (issue 8), and
// its submission through the local sendmail(1). Used by the bounce program
// after it re-evaluates a sender and by `sendsentry senders --evaluate` and
// `sendsentry sender resume`.
#pragma once

#include "core/config.hh"
#include "core/result.hh"
#include "reputation/guard.hh"

#include <string>
#include <string_view>

namespace sendsentry::reputation {

// What changed, for the log, the event and the mail.
struct StateChange {
    std::string subject;
    State from = State::ok;
    State to = State::ok;
    std::string reason;
    store::Time at = 0;
    std::vector<WindowCounts> windows; // may be empty (an operator's resume)

    static StateChange of(const Evaluation& evaluation, store::Time at);
};

struct NoticeSettings {
    std::string address; // [reputation] notify_address; "" = no mail
    std::string sendmail_command; // [reputation] sendmail_command

    static NoticeSettings from_config(const config::Config& cfg);
    bool enabled() const noexcept { return !address.empty(); }
};

// The notice as sendmail(1) reads it on stdin: RFC 5322 header and a plain
// text body, LF line endings, every value from the store stripped of control
// characters so a hostile name cannot add header fields.
std::string state_change_mail(const StateChange& change, std::string_view to);

// Runs COMMAND -oi -- ADDRESS with MESSAGE on stdin and waits for it; an
// error when it cannot be started or exits non-zero (ErrorKind::temporary:
// the change itself is recorded, only the mail is missing).
[[nodiscard]] Status send_mail(
    const std::string& command, const std::string& address, std::string_view message);

// Mails CHANGE when SETTINGS are enabled; logs the outcome either way. The
// state change has already been logged and recorded by the guard.
void notify(const NoticeSettings& settings, const StateChange& change) noexcept;

} // namespace sendsentry::reputation
