// Keyring loading (simple setup or tables) and per-author key choice.
#include "dkim/keyring.hh"

#include <cctype>
#include <sys/stat.h>

namespace sendsentry::dkim {
namespace {

    bool iequals(std::string_view a, std::string_view b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i]))
                != std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    }

    // DOMAIN equals PARENT or is below it.
    bool within(std::string_view domain, std::string_view parent)
    {
        if (iequals(domain, parent))
            return true;
        return domain.size() > parent.size() && domain[domain.size() - parent.size() - 1] == '.'
            && iequals(domain.substr(domain.size() - parent.size()), parent);
    }

    std::string lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    KeyLimits limits_from(const config::Config& cfg)
    {
        KeyLimits l;
        l.min_rsa_bits = static_cast<int>(cfg.integer("dkim", "min_key_bits"));
        return l;
    }

    // Inline keys make the KeyTable itself a key file: same rule as keys.
    Status check_inline_key_table(const KeyTable& t)
    {
        struct stat st { };
        if (::stat(t.file().c_str(), &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH)))
            return make_error(ErrorKind::invalid,
                t.file()
                    + ": holds private keys inline but is readable or writable by others; chmod o-rwx it");
        return {};
    }

} // namespace

bool identity_fits(std::string_view identity, std::string_view domain) noexcept
{
    auto at = identity.rfind('@');
    if (at == std::string_view::npos)
        return false;
    return within(identity.substr(at + 1), domain);
}

Result<std::shared_ptr<const Keyring>> Keyring::simple(
    std::string domain, std::vector<std::pair<std::string, std::shared_ptr<const PrivateKey>>> selectors)
{
    std::shared_ptr<Keyring> k(new Keyring);
    k->domain_ = lower(domain);
    k->simple_keys_ = std::move(selectors);
    return std::shared_ptr<const Keyring>(std::move(k));
}

Result<std::shared_ptr<const Keyring>> Keyring::load(
    const config::Config& cfg, std::vector<std::string>* warnings)
{
    const std::string& key_table = cfg.string("dkim", "key_table");
    const std::string& signing_table = cfg.string("dkim", "signing_table");
    const std::string& domain = cfg.string("dkim", "domain");
    KeyLimits limits = limits_from(cfg);
    bool tables = !key_table.empty() || !signing_table.empty();
    if (tables && !domain.empty())
        return make_error(ErrorKind::invalid,
            cfg.source()
                + ": [dkim] sets both domain (simple setup) and key_table/signing_table; choose one");
    if (tables) {
        if (key_table.empty() || signing_table.empty())
            return make_error(
                ErrorKind::invalid, cfg.source() + ": [dkim] key_table and signing_table go together");
        auto kt = KeyTable::load(key_table);
        if (!kt)
            return kt.error();
        auto st = SigningTable::load(signing_table);
        if (!st)
            return st.error();
        if (auto ok = cross_check(*st, *kt, warnings); !ok)
            return ok.error();
        std::shared_ptr<Keyring> k(new Keyring);
        std::string problems;
        for (const KeyTableEntry& e : kt->entries()) {
            Result<std::shared_ptr<const PrivateKey>> key = e.key_is_path
                ? PrivateKey::load_file(e.key, limits, warnings)
                : PrivateKey::from_data(e.key, e.origin.str() + ": key \"" + e.name + "\"", limits, warnings);
            if (!e.key_is_path)
                if (auto ok = check_inline_key_table(*kt); !ok)
                    return ok.error();
            if (!key) {
                problems += (problems.empty() ? "" : "\n") + e.origin.str() + ": key \"" + e.name
                    + "\": " + key.error().message;
                continue;
            }
            k->table_keys_.emplace(e.name, std::move(*key));
        }
        if (!problems.empty())
            return make_error(ErrorKind::invalid, problems);
        k->key_table_ = std::move(*kt);
        k->signing_table_ = std::move(*st);
        k->multiple_ = cfg.boolean("dkim", "multiple_signatures");
        return std::shared_ptr<const Keyring>(std::move(k));
    }
    if (domain.empty())
        return make_error(ErrorKind::invalid,
            cfg.source()
                + ": no DKIM key configured: set [dkim] domain, selector and key_file, "
                  "or key_table and signing_table");
    std::vector<std::pair<std::string, std::shared_ptr<const PrivateKey>>> keys;
    for (auto [sel_key, file_key] :
        { std::pair { "selector", "key_file" }, { "second_selector", "second_key_file" } }) {
        const std::string& selector = cfg.string("dkim", sel_key);
        const std::string& file = cfg.string("dkim", file_key);
        if (selector.empty() != file.empty())
            return make_error(ErrorKind::invalid,
                cfg.source() + ": [dkim] " + sel_key + " and " + file_key + " go together");
        if (file.empty()) {
            if (std::string_view(sel_key) == "selector")
                return make_error(
                    ErrorKind::invalid, cfg.source() + ": [dkim] domain needs selector and key_file");
            continue;
        }
        auto key = PrivateKey::load_file(file, limits, warnings);
        if (!key)
            return make_error(
                key.error().kind, cfg.source() + ": [dkim] " + file_key + ": " + key.error().message);
        keys.emplace_back(selector, std::move(*key));
    }
    return simple(domain, std::move(keys));
}

std::vector<SignatureRequest> Keyring::signatures_for(const Address& author) const
{
    return signing_table_ ? table_signatures(author) : simple_signatures(author);
}

std::vector<SignatureRequest> Keyring::simple_signatures(const Address& author) const
{
    std::vector<SignatureRequest> out;
    if (author.is_null() || !within(author.domain(), domain_))
        return out;
    for (const auto& [selector, key] : simple_keys_)
        out.push_back(SignatureRequest { domain_, selector, {}, key });
    return out;
}

std::vector<SignatureRequest> Keyring::table_signatures(const Address& author) const
{
    std::vector<SignatureRequest> out;
    if (author.is_null())
        return out;
    for (const SigningMatch& m : signing_table_->match(author.local(), author.domain(), multiple_)) {
        const KeyTableEntry* e = key_table_->find(m.key_name);
        auto key = table_keys_.find(m.key_name);
        if (!e || key == table_keys_.end())
            continue; // a "%" key name with no entry for this domain
        SignatureRequest r { e->domain == "%" ? author.domain() : lower(e->domain), e->selector, m.signer,
            key->second };
        if (!r.identity.empty() && !identity_fits(r.identity, r.domain))
            r.identity.clear();
        bool duplicate = false;
        for (const SignatureRequest& o : out)
            duplicate = duplicate || (o.domain == r.domain && o.selector == r.selector);
        if (!duplicate)
            out.push_back(std::move(r));
    }
    return out;
}

std::string Keyring::describe() const
{
    if (signing_table_)
        return "tables keys=" + std::to_string(table_keys_.size())
            + " rules=" + std::to_string(signing_table_->rules().size())
            + (signing_table_->kind() == DatasetKind::refile ? " refile" : " file")
            + (multiple_ ? " multiple" : "");
    return "simple domain=" + domain_ + " keys=" + std::to_string(simple_keys_.size());
}

} // namespace sendsentry::dkim
