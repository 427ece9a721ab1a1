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

    // [spf] and [dmarc] settings; without outbound_ips SPF is not evaluated
    // and DMARC rests on the DKIM signatures alone.
    Result<std::shared_ptr<const auth::OutboundChecker>> make_checker(const config::Config& cfg)
    {
        auto settings = auth::outbound_settings(cfg);
        if (!settings)
            return make_error(ErrorKind::invalid, cfg.source() + ": " + settings.error().message);
        auto checker = auth::OutboundChecker::create(std::move(*settings));
        if (!checker)
            return std::move(checker).error();
        return std::shared_ptr<const auth::OutboundChecker>(std::move(*checker));
    }

    // [return_path] rewrite = yes needs a key file the milter can read.
    Status load_return_path(const config::Config& cfg, Engine& e)
    {
        if (!cfg.boolean("return_path", "rewrite"))
            return {};
        auto settings = mail::ReturnPathSettings::from_config(cfg);
        if (!settings)
            return std::move(settings).error();
        const std::string& path = cfg.string("return_path", "key_file");
        if (path.empty())
            return make_error(
                ErrorKind::invalid, cfg.source() + ": [return_path] rewrite = yes needs key_file");
        auto keys = mail::ReturnPathKeys::load(path);
        if (!keys)
            return make_error(
                ErrorKind::invalid, cfg.source() + ": [return_path] key_file: " + keys.error().message);
        e.return_path = std::move(*settings);
        e.return_path_keys = std::make_shared<const mail::ReturnPathKeys>(std::move(*keys));
        return {};
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
    // Designated: the members set later (return path, checker) keep their defaults.
    auto e = std::make_shared<Engine>(Engine { .keyring = std::move(*keyring),
        .sign_policy = std::move(*policy),
        .dkim = std::move(*lib),
        .on_error = action(cfg.string("milter", "on_error")),
        .on_from_problem = action(cfg.string("dkim", "from_error_action")) });
    if (auto s = load_return_path(cfg, *e); !s)
        return std::move(s).error();
    if (cfg.boolean("milter", "auth_check")) {
        auto checker = make_checker(cfg);
        if (!checker)
            return checker.error();
        e->checker = std::move(*checker);
    }
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
