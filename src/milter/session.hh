// One milter connection (possibly several messages): what the MTA told us,
// the message being signed, and the end-of-message steps. Knows nothing of
// libmilter; callbacks.cc adapts it. The end-of-message flow is a few small
// steps so that SPF/DMARC checks slot in beside signing.
#pragma once

#include "core/log.hh"
#include "dkim/from_header.hh"
#include "dkim/sign_decision.hh"
#include "milter/engine.hh"

#include <cstdint>
#include <memory>
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
    std::vector<std::pair<std::string, std::string>> insert_headers; // at the top, in this order
    std::string reply_code, reply_status, reply_text; // for reject/tempfail
};

class Session {
public:
    Session(std::uint64_t id, const EngineSlot& engines);

    void set_leading_space_kept(bool kept) noexcept { leading_space_kept_ = kept; }

    void connect(std::string client_address, std::string daemon_name);
    void mail_from(std::string auth_authen, std::string auth_type);
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
        std::shared_ptr<const Engine> engine;
        std::vector<std::pair<std::string, std::string>> headers;
        std::size_t header_bytes = 0;
        bool headers_over_limit = false;
        State state = State::collecting;
        std::string reason;
        std::unique_ptr<dkim::MessageSigner> signer;
    };

    Message& message();
    void decide_and_start(Message& m);
    void start_signer(Message& m, const Address& author);
    void feed_headers(Message& m);
    void finish_signing(Message& m, EomActions& out);
    static void apply_failure(EomActions& out, FailAction action, const std::string& reject_text);

    std::uint64_t id_;
    const EngineSlot& engines_;
    log::Logger conn_log_;
    dkim::ClientFacts client_;
    bool leading_space_kept_ = false;
    std::uint64_t messages_ = 0;
    std::unique_ptr<Message> message_;
};

} // namespace sendsentry::milter
