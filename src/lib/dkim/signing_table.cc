// SigningTable parsing and lookup (OpenDKIM semantics, opendkim.conf(5)).
#include "dkim/signing_table.hh"

#include <algorithm>
#include <cctype>
#include <set>

namespace sendsentry::dkim {
namespace {

    std::string lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    std::string expand_percent(std::string_view text, std::string_view domain)
    {
        std::string out;
        for (char c : text) {
            if (c == '%')
                out += domain;
            else
                out += c;
        }
        return out;
    }

    // OpenDKIM's ladder for exact data sets: user@host, host, user@.parent
    // for every parent, .parent for every parent, user@*, *.
    std::vector<std::string> exact_candidates(std::string_view local, std::string_view domain)
    {
        std::string user = lower(local);
        std::string host = lower(domain);
        std::vector<std::string> out { user + "@" + host, host };
        std::vector<std::string> parents;
        for (auto dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1))
            parents.push_back(host.substr(dot));
        for (const std::string& p : parents)
            out.push_back(user + "@" + p);
        for (const std::string& p : parents)
            out.push_back(p);
        out.push_back(user + "@*");
        out.push_back("*");
        return out;
    }

} // namespace

bool wildcard_match(std::string_view pattern, std::string_view text) noexcept
{
    // Iterative glob with one backtrack point: linear-ish, no recursion.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    auto same = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    };
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && same(pattern[p], text[t])) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

Result<SigningTable> SigningTable::parse(std::string_view text, std::string_view file, DatasetKind kind)
{
    auto lines = parse_table(text, file);
    if (!lines)
        return lines.error();
    SigningTable table;
    table.kind_ = kind;
    std::string problems;
    for (TableLine& l : *lines) {
        auto gap = l.value.find_first_of(" \t");
        std::string key_name = l.value.substr(0, gap);
        std::string signer;
        if (gap != std::string::npos) {
            signer = l.value.substr(l.value.find_first_not_of(" \t", gap));
            if (signer.find_first_of(" \t") != std::string::npos) {
                problems += (problems.empty() ? "" : "\n") + l.origin.str()
                    + ": expected \"PATTERN KEYNAME [SIGNER]\", found extra fields";
                continue;
            }
        }
        table.rules_.push_back(
            SigningRule { lower(l.key), std::move(key_name), std::move(signer), l.origin });
    }
    if (!problems.empty())
        return make_error(ErrorKind::invalid, problems);
    return table;
}

Result<SigningTable> SigningTable::load(std::string_view spec)
{
    auto ds = parse_dataset(spec);
    if (!ds)
        return make_error(
            ErrorKind::invalid, "SigningTable " + std::string(spec) + ": " + ds.error().message);
    auto text = read_table_file(ds->path);
    if (!text)
        return text.error();
    return parse(*text, ds->path, ds->kind);
}

std::vector<SigningMatch> SigningTable::match(std::string_view local, std::string_view domain, bool all) const
{
    return kind_ == DatasetKind::refile ? match_wildcard(local, domain, all)
                                        : match_exact(local, domain, all);
}

std::vector<SigningMatch> SigningTable::match_wildcard(
    std::string_view local, std::string_view domain, bool all) const
{
    std::string address = lower(local) + "@" + lower(domain);
    std::vector<SigningMatch> out;
    for (const SigningRule& r : rules_) {
        if (!wildcard_match(r.pattern, address))
            continue;
        out.push_back(
            SigningMatch { expand_percent(r.key_name, domain), expand_percent(r.signer, domain), &r });
        if (!all)
            break;
    }
    return out;
}

std::vector<SigningMatch> SigningTable::match_exact(
    std::string_view local, std::string_view domain, bool all) const
{
    std::vector<SigningMatch> out;
    for (const std::string& candidate : exact_candidates(local, domain)) {
        for (const SigningRule& r : rules_) {
            if (r.pattern != candidate)
                continue;
            out.push_back(
                SigningMatch { expand_percent(r.key_name, domain), expand_percent(r.signer, domain), &r });
            if (!all)
                return out;
        }
    }
    return out;
}

Status cross_check(const SigningTable& signing, const KeyTable& keys, std::vector<std::string>* warnings)
{
    std::string problems;
    std::set<std::string, std::less<>> used;
    bool any_percent = false;
    for (const SigningRule& r : signing.rules()) {
        if (r.key_name.find('%') != std::string::npos) {
            any_percent = true; // resolved per message; cannot be checked here
            continue;
        }
        used.insert(r.key_name);
        if (!keys.find(r.key_name))
            problems += (problems.empty() ? "" : "\n") + r.origin.str() + ": key \"" + r.key_name
                + "\" is not in the KeyTable " + keys.file();
    }
    if (!problems.empty())
        return make_error(ErrorKind::invalid, problems);
    if (warnings && !any_percent)
        for (const KeyTableEntry& e : keys.entries())
            if (!used.contains(e.name))
                warnings->push_back(
                    e.origin.str() + ": key \"" + e.name + "\" is not used by any SigningTable rule");
    return {};
}

} // namespace sendsentry::dkim
