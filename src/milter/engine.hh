// Everything the milter needs to handle a message, built from the
// configuration: keys and tables, the sign rule, the libopendkim library, the
// SPF/DMARC checker and the failure actions. Immutable; SIGHUP builds a new one and swaps it in,
// messages in flight finish with the one they started with.
#pragma once

#include "auth/outbound_check.hh"
#include "core/config.hh"
#include "core/result.hh"
#include "dkim/keyring.hh"
#include "dkim/sign_decision.hh"
#include "dkim/signer.hh"
#include "mail/return_path.hh"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sendsentry::milter {

enum class FailAction { accept, reject, tempfail };

struct Engine {
    std::shared_ptr<const dkim::Keyring> keyring;
    dkim::SignPolicy sign_policy;
    std::shared_ptr<const dkim::DkimLibrary> dkim;
    FailAction on_error = FailAction::accept; // internal error, unusable key
    FailAction on_from_problem = FailAction::accept; // no From, several From (RFC 6376 8.15)
    // [return_path]: set when rewrite = yes; the envelope sender of signed
    // mail becomes a bounce address on the sender domain's subdomain.
    std::shared_ptr<const mail::ReturnPathKeys> return_path_keys = {};
    mail::ReturnPathSettings return_path = {};
    // The SPF/DMARC check of outbound mail; null when [milter] auth_check = no.
    std::shared_ptr<const auth::OutboundChecker> checker = {};

    // Validates and loads everything CFG names; WARNINGS gets the soft problems.
    [[nodiscard]] static Result<std::shared_ptr<const Engine>> build(
        const config::Config& cfg, std::vector<std::string>* warnings);
};

// The current engine, shared by every connection thread.
class EngineSlot {
public:
    std::shared_ptr<const Engine> get() const
    {
        std::lock_guard lock(mutex_);
        return engine_;
    }
    void set(std::shared_ptr<const Engine> e)
    {
        std::lock_guard lock(mutex_);
        engine_ = std::move(e);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Engine> engine_;
};

// Loads CONFIG_PATH and builds an engine, logging warnings; on failure logs
// every problem and returns the error. Used at start and on SIGHUP.
[[nodiscard]] Result<std::shared_ptr<const Engine>> load_engine(const std::string& config_path);

} // namespace sendsentry::milter
