// `sendsentry keygen`: makes a DKIM key pair. Writes the private key (PEM,
// mode 0600, never over an existing file) and prints the DNS TXT record to
// publish; the work is in dkim/key_generator so the milter's tests share it.
// Exit 0 done, 2 usage error, 3 the key file could not be written.
#include "command.hh"
#include "core/address.hh"
#include "dkim/key_generator.hh"

#include <CLI/CLI.hpp>
#include <cctype>
#include <memory>
#include <ostream>

namespace sendsentry::cli {
namespace {

    struct KeygenOptions {
        std::string domain;
        std::string selector;
        std::string type = "rsa";
        int bits = 2048;
        std::string out; // default: SELECTOR.private, as opendkim-genkey
    };

    bool valid_selector(const std::string& s)
    {
        // RFC 6376 3.1: selectors are dot-separated DNS labels.
        if (s.empty() || s.size() > 63 || s.front() == '.' || s.back() == '.'
            || s.find("..") != std::string::npos)
            return false;
        for (unsigned char c : s)
            if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_'))
                return false;
        return true;
    }

    int run(Context& ctx, const KeygenOptions& o)
    {
        auto domain = normalize_domain(o.domain);
        if (!domain)
            return ctx.usage_error("keygen", "--domain: " + domain.error().message);
        if (!valid_selector(o.selector))
            return ctx.usage_error("keygen", "--selector: letters, digits, '-', '_' and dots only");
        bool ed = o.type == "ed25519";
        auto key = dkim::generate_key(
            ed ? dkim::KeyAlgorithm::ed25519_sha256 : dkim::KeyAlgorithm::rsa_sha256, o.bits);
        if (!key)
            return ctx.usage_error("keygen", key.error().message);
        std::string path = o.out.empty() ? o.selector + ".private" : o.out;
        if (auto w = dkim::write_private_key(path, **key); !w) {
            ctx.err() << "sendsentry: keygen: " << w.error().message << '\n';
            return exit_store;
        }
        ctx.err() << "wrote " << path << " (" << (ed ? "Ed25519" : "RSA-" + std::to_string(o.bits))
                  << ", mode 0600); publish:\n";
        ctx.out() << dkim::dns_zone_line(o.selector, *domain, **key) << '\n';
        return exit_ok;
    }

    void add_keygen(CLI::App& app, Context& ctx)
    {
        auto o = std::make_shared<KeygenOptions>();
        auto* cmd
            = app.add_subcommand("keygen", "make a DKIM key: write the private key, print the DNS record");
        cmd->add_option("--domain", o->domain, "signing domain (d=)")->required();
        cmd->add_option("--selector", o->selector, "selector (s=)")->required();
        cmd->add_option("--type", o->type, "rsa or ed25519 (RFC 8463)")
            ->check(CLI::IsMember({ "rsa", "ed25519" }))
            ->capture_default_str();
        cmd->add_option("--bits", o->bits, "RSA key size")
            ->check(CLI::Range(dkim::min_generated_rsa_bits, dkim::max_generated_rsa_bits))
            ->capture_default_str();
        cmd->add_option("--out", o->out, "private key file to create (default SELECTOR.private)");
        cmd->callback([&ctx, o] { ctx.action = [&ctx, o] { return run(ctx, *o); }; });
    }

    const Registration registration("keygen", add_keygen);

} // namespace
} // namespace sendsentry::cli
