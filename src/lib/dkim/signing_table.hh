// OpenDKIM's SigningTable: which KeyTable keys sign mail from a header From
// address. Exact tables ("file:") use OpenDKIM's lookup ladder; wildcard
// tables ("refile:") match patterns in file order. Used by the keyring.
#pragma once

#include "core/result.hh"
#include "dkim/key_table.hh"
#include "dkim/table_file.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

struct SigningRule {
    std::string pattern; // lower-cased address, domain, ".domain", "user@*", "*" or a wildcard
    std::string key_name; // KeyTable name; "%" means the From domain
    std::string signer; // optional i= value; "%" is replaced by the From domain
    Origin origin;
};

// A rule applied to one message: the key name and i= with "%" expanded.
struct SigningMatch {
    std::string key_name;
    std::string signer;
    const SigningRule* rule = nullptr;
};

class SigningTable {
public:
    [[nodiscard]] static Result<SigningTable> parse(
        std::string_view text, std::string_view file, DatasetKind kind);
    [[nodiscard]] static Result<SigningTable> load(std::string_view spec);

    // The rules for header From LOCAL@DOMAIN (DOMAIN lower-case A-labels), in
    // OpenDKIM's order; only the first unless ALL (MultipleSignatures).
    std::vector<SigningMatch> match(std::string_view local, std::string_view domain, bool all) const;

    const std::vector<SigningRule>& rules() const noexcept { return rules_; }
    DatasetKind kind() const noexcept { return kind_; }

private:
    std::vector<SigningMatch> match_exact(std::string_view local, std::string_view domain, bool all) const;
    std::vector<SigningMatch> match_wildcard(std::string_view local, std::string_view domain, bool all) const;

    std::vector<SigningRule> rules_;
    DatasetKind kind_ = DatasetKind::file;
};

// '*' matches any run of characters; everything else literally, ignoring
// ASCII case (OpenDKIM turns refile patterns into anchored regexes this way).
bool wildcard_match(std::string_view pattern, std::string_view text) noexcept;

// Start-up check of the pair: every key a rule names exists in the KeyTable
// (the message names the SigningTable line). Keys no rule uses are returned
// as warnings.
[[nodiscard]] Status cross_check(
    const SigningTable& signing, const KeyTable& keys, std::vector<std::string>* warnings);

} // namespace sendsentry::dkim
