// One write_once() transaction per message: the idempotency key, then every
// write of store/bounce_recorder; any failure rolls it all back and asks
// pipe(8) to retry (EX_TEMPFAIL, Postfix pipe(8) DIAGNOSTICS).
#include "recorder.hh"

#include "core/log.hh"
#include "reputation/counters.hh"
#include "reputation/guard.hh"
#include "store/bounce_recorder.hh"

#include <ctime>
#include <openssl/evp.h>
#include <sysexits.h>

namespace sendsentry::bounce {

std::string message_key(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string key = "bounce:";
    for (unsigned int i = 0; i < len; ++i) {
        key += hex[digest[i] >> 4];
        key += hex[digest[i] & 0xf];
    }
    return key;
}

Recorder::Recorder(std::unique_ptr<store::Store> store, const config::Config& cfg)
    : store_(std::move(store))
    , soft_(store::soft_bounce_policy(cfg))
    , thresholds_(reputation::Thresholds::from_config(cfg))
    , notice_(reputation::NoticeSettings::from_config(cfg))
{
}

void Recorder::evaluate_sender(const mail::BounceReport& report, store::Time now, const log::Logger& logger)
{
    if (report.kind != mail::ReportKind::bounce && report.kind != mail::ReportKind::feedback)
        return;
    for (const std::string& subject : reputation::counter_subjects(report.sender_domain)) {
        // The bounce is stored either way; a sender left unjudged here is
        // judged by the next bounce or by `sendsentry senders --evaluate`.
        auto ev = reputation::evaluate(*store_, subject, now, thresholds_);
        if (!ev) {
            logger.warning("not-evaluated",
                { { "sender", subject }, { "kind", to_string(ev.error().kind) },
                    { "error", ev.error().message } });
            continue;
        }
        if (ev->changed())
            reputation::notify(notice_, reputation::StateChange::of(*ev, now));
    }
}

std::unique_ptr<Recorder> Recorder::open(const config::Config& cfg)
{
    auto s = store::open(cfg);
    if (!s) {
        log::Logger("sendsentry-bounce")
            .error("store-unavailable",
                { { "kind", to_string(s.error().kind) }, { "error", s.error().message } });
        return nullptr;
    }
    return std::unique_ptr<Recorder>(new Recorder(std::move(s).value(), cfg));
}

int Recorder::record(const mail::Envelope& envelope, const Message& message, const mail::BounceReport& report)
{
    std::string key = message_key(message.text);
    log::Logger logger(key.substr(7, 16)); // short digest: enough to find the lines of one message
    store::BounceContext context;
    context.now = static_cast<store::Time>(std::time(nullptr));
    context.message_key = key;
    context.raw = message.text;
    context.soft = soft_;
    store::BounceOutcome outcome;
    auto done = store_->write_once(key, context.now, [&](store::Transaction& tx) -> Status {
        auto r = store::record_bounce(tx, report, context);
        if (!r)
            return std::move(r).error();
        outcome = *r;
        return {};
    });
    if (!done) {
        logger.error("not-stored",
            { { "kind", to_string(done.error().kind) }, { "error", done.error().message },
                { "recipient", envelope.recipient } });
        return EX_TEMPFAIL;
    }
    if (!*done) {
        logger.info("duplicate", { { "reader", report.why } });
        return EX_OK;
    }
    for (const mail::Failure& f : report.failures)
        logger.info(report.kind == mail::ReportKind::feedback ? "feedback" : "bounce",
            { { "recipient", f.recipient }, { "status", f.status }, { "reason", f.reason },
                { "hard", f.hard }, { "feedback_type", f.feedback_type },
                { "sender_domain", report.sender_domain } });
    logger.info("stored",
        { { "kind", mail::to_string(report.kind) }, { "reader", report.why },
            { "suppressed", outcome.suppressed }, { "soft_counted", outcome.soft_counted },
            { "quarantined", outcome.quarantined }, { "size", message.size } });
    evaluate_sender(report, context.now, logger);
    return EX_OK;
}

} // namespace sendsentry::bounce
