// Reading the return-path token of the envelope recipient.
#include "envelope.hh"

#include "mail/return_path.hh"

namespace sendsentry::bounce {

Result<mail::Envelope> read_envelope(const config::Config& cfg, std::string sender, std::string recipient,
    std::int64_t now, const log::Logger& logger)
{
    mail::Envelope env { std::move(sender), std::move(recipient) };
    const std::string& key_file = cfg.string("return_path", "key_file");
    if (key_file.empty())
        return env;
    auto settings = mail::ReturnPathSettings::from_config(cfg);
    if (!settings)
        return std::move(settings).error();
    if (!mail::has_token_form(*settings, env.recipient))
        return env; // a plain address needs no key file
    auto keys = mail::ReturnPathKeys::load(key_file);
    if (!keys)
        return make_error(keys.error().kind, "[return_path] key_file: " + keys.error().message);
    mail::TokenReading token = read_return_path(*keys, *settings, env.recipient, now);
    if (token.valid()) {
        env.token_sender_domain = token.path.sender_domain;
        logger.info("return path",
            { { "sender", token.path.sender() }, { "msg", token.path.message_tag },
                { "signed_at", token.path.signed_at } });
    } else {
        // Attribution falls back to what the bounce itself says.
        env.token_refused = true;
        logger.warning("return path refused",
            { { "recipient", env.recipient }, { "status", mail::to_string(token.status) },
                { "detail", token.detail } });
    }
    return env;
}

Status check_return_path(const config::Config& cfg)
{
    auto settings = mail::ReturnPathSettings::from_config(cfg);
    if (!settings)
        return std::move(settings).error();
    const std::string& key_file = cfg.string("return_path", "key_file");
    if (key_file.empty())
        return {};
    auto keys = mail::ReturnPathKeys::load(key_file);
    if (!keys)
        return make_error(
            keys.error().kind, cfg.source() + ": [return_path] key_file: " + keys.error().message);
    return {};
}

} // namespace sendsentry::bounce
