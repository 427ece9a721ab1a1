// One milter connection (possibly several messages): what the MTA told us,
// the message being signed, and the end-of-message steps (sign, then the
// SPF/DMARC check and our Authentication-Results header). Knows nothing of
// libmilter; callbacks.cc adapts it.
#pragma once

#include "auth/forged_results.hh"
#include "auth/header_from.hh"
#include "core/log.hh"
#include "dkim/sign_decision.hh"
#include "milter/engine.hh"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sendsentry::milter {

// Per-message header limits: past them the message is passed unsigned
// (Postfix's own header_size_limit is 100 KB; 1,000 fields is far beyond mail).
inline constexpr std::size_t max_header_fields = 1000;
inline constexpr std::size_t max_header_bytes = 1024 * 1024;

// What the adapter must do at end of message.
struct EomActions {
    enum class Verdict { accept, reject, tempfail } verdict = Verdict::accept;
    // (name, hdridx) to delete with smfi_chgheader, first, in this order.
    std::vector<std::pair<std::string, int>> delete_headers;
    std::vector<std::pair<std::string, std::string>> insert_headers; // at the top, in this order
    std::string reply_code, reply_status, reply_text; // for reject/tempfail
    std::string change_from; // new envelope sender (smfi_chgfrom), "" = keep
};

class Session {
public:
    Session(std::uint64_t id, const EngineSlot& engines);

    void set_leading_space_kept(bool kept) noexcept { leading_space_kept_ = kept; }

    // RELAY_HELO is the MTA's own name (macro j): the HELO receivers see
    // from this relay, the SPF identity for the null reverse-path.
    void connect(std::string client_address, std::string daemon_name, std::string relay_helo);
    // ENVELOPE_FROM as the MTA gives it ("<a@b>", "<>").
    void mail_from(std::string_view envelope_from, std::string auth_authen, std::string auth_type);
    void header(std::string_view name, std::string_view value);
    void end_of_headers(std::string_view queue_id);
    void body(std::string_view chunk);
    EomActions end_of_message();
    void abort_message();

    // An exception escaped a stage; the message gets the on_error action.
    void fail(std::string_view stage, std::string_view what) noexcept;

    const log::Logger& logger() const noexcept { return message_ ? message_->log : conn_log_; }

private:
    enum class State { collecting, signing, passing, from_problem, failed };

    struct Message {
        log::Logger log;
        std::shared_ptr<const Engine> engine; // taken when the message starts
        std::string mail_from; // "" for <>
        std::string return_path; // what mail_from becomes at end of message, "" = unchanged
        std::string return_path_tag; // mail::message_tag of the queue id, for the log
        std::vector<std::pair<std::string, std::string>> headers;
        std::vector<std::string> from_fields; // every From value, kept past signing
        std::optional<auth::ForgedResults> forged; // when the engine checks
        std::size_t header_bytes = 0;
        bool headers_over_limit = false;
        State state = State::collecting;
        std::string reason;
        bool outbound = false; // the sign rule matched: ours to check
        std::unique_ptr<dkim::MessageSigner> signer;
        std::vector<auth::DkimSigned> signed_for; // signatures applied
    };

    Message& message();
    void decide_and_start(Message& m);
    void start_signer(Message& m, const Address& author);
    void feed_headers(Message& m);
    void finish_signing(Message& m, EomActions& out);
    void plan_return_path(Message& m, std::string_view queue_id);
    void rewrite_return_path(Message& m, EomActions& out);
    // The MAIL FROM receivers will see: the return path when it is rewritten.
    static const std::string& sent_mail_from(const Message& m);
    void remove_forged_results(Message& m, EomActions& out);
    void check_authentication(Message& m, EomActions& out);
    static void apply_failure(EomActions& out, FailAction action, const std::string& reject_text);

    std::uint64_t id_;
    const EngineSlot& engines_;
    log::Logger conn_log_;
    dkim::ClientFacts client_;
    std::string relay_helo_;
    bool leading_space_kept_ = false;
    std::uint64_t messages_ = 0;
    std::unique_ptr<Message> message_;
};

} // namespace sendsentry::milter
