// Engine construction from the configuration.
#include "milter/engine.hh"

#include "core/log.hh"

namespace sendsentry::milter {
namespace {

    FailAction action(const std::string& word)
    {
        if (word == "tempfail")
            return FailAction::tempfail;
        if (word == "reject")
            return FailAction::reject;
        return FailAction::accept;
    }

} // namespace

Result<std::shared_ptr<const Engine>> Engine::build(
    const config::Config& cfg, std::vector<std::string>* warnings)
{
    auto policy = dkim::SignPolicy::from_config(cfg);
    if (!policy)
        return policy.error();
    auto headers
        = dkim::HeaderPolicy::make(cfg.list("dkim", "sign_headers"), cfg.list("dkim", "oversign_headers"));
    if (!headers)
        return make_error(ErrorKind::invalid, cfg.source() + ": [dkim] " + headers.error().message);
    auto canon = dkim::Canonicalization::parse(cfg.string("dkim", "canonicalization"));
    if (!canon)
        return canon.error();
    auto lib = dkim::DkimLibrary::create(std::move(*headers), *canon);
    if (!lib)
        return lib.error();
    auto keyring = dkim::Keyring::load(cfg, warnings);
    if (!keyring)
        return keyring.error();
    auto e = std::make_shared<Engine>(Engine { std::move(*keyring), std::move(*policy), std::move(*lib),
        action(cfg.string("milter", "on_error")), action(cfg.string("dkim", "from_error_action")) });
    return std::shared_ptr<const Engine>(std::move(e));
}

Result<std::shared_ptr<const Engine>> load_engine(const std::string& config_path)
{
    log::Logger log("config");
    auto cfg = config::load(config_path);
    if (!cfg) {
        log.error("configuration refused", { { "file", config_path }, { "problems", cfg.error().message } });
        return cfg.error();
    }
    std::vector<std::string> warnings;
    auto engine = Engine::build(*cfg, &warnings);
    for (const std::string& w : warnings)
        log.warning("configuration", { { "detail", w } });
    if (!engine) {
        log.error(
            "configuration refused", { { "file", config_path }, { "problems", engine.error().message } });
        return engine.error();
    }
    log.info("keys loaded", { { "file", config_path }, { "keys", (*engine)->keyring->describe() } });
    return engine;
}

} // namespace sendsentry::milter
