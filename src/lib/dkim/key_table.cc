// KeyTable parsing: "NAME DOMAIN:SELECTOR:KEY" lines, duplicate names refused.
#include "dkim/key_table.hh"

#include <cctype>
#include <map>

namespace sendsentry::dkim {
namespace {

    // RFC 6376 3.1: a selector is dot-separated sub-domain labels.
    bool valid_label_text(std::string_view s)
    {
        if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.')
            return false;
        for (unsigned char c : s)
            if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_'))
                return false;
        return s.find("..") == std::string_view::npos;
    }

} // namespace

bool is_key_path(std::string_view value) noexcept
{
    return value.starts_with("/") || value.starts_with("./") || value.starts_with("../");
}

Result<KeyTable> KeyTable::parse(std::string_view text, std::string_view file)
{
    auto lines = parse_table(text, file);
    std::string problems = lines ? "" : lines.error().message;
    auto problem = [&](const Origin& o, const std::string& what) {
        problems += (problems.empty() ? "" : "\n") + o.str() + ": " + what;
    };
    KeyTable table;
    table.file_ = std::string(file);
    std::map<std::string, Origin, std::less<>> seen;
    for (const TableLine& l : lines ? *lines : std::vector<TableLine> {}) {
        // The key part may itself contain ':' only when inline (PEM has none,
        // base64 has none), so split on the first two colons.
        auto c1 = l.value.find(':');
        auto c2 = c1 == std::string::npos ? c1 : l.value.find(':', c1 + 1);
        if (c2 == std::string::npos) {
            problem(l.origin, "key \"" + l.key + "\": expected DOMAIN:SELECTOR:KEYFILE");
            continue;
        }
        KeyTableEntry e;
        e.name = l.key;
        e.domain = l.value.substr(0, c1);
        e.selector = l.value.substr(c1 + 1, c2 - c1 - 1);
        e.key = l.value.substr(c2 + 1);
        e.key_is_path = is_key_path(e.key);
        e.origin = l.origin;
        if (e.domain != "%" && !valid_label_text(e.domain)) {
            problem(l.origin, "key \"" + l.key + "\": invalid signing domain \"" + e.domain + "\"");
            continue;
        }
        if (!valid_label_text(e.selector)) {
            problem(l.origin, "key \"" + l.key + "\": invalid selector \"" + e.selector + "\"");
            continue;
        }
        if (e.key.empty()) {
            problem(l.origin, "key \"" + l.key + "\": no key file");
            continue;
        }
        // OpenDKIM replaces "%" in a key path per message; we load every key
        // once at start, so a per-sender key path cannot be honoured.
        if (e.key_is_path && e.key.find('%') != std::string::npos) {
            problem(l.origin,
                "key \"" + l.key + "\": \"%\" in a key path is not supported (keys are loaded at start); "
                    + "list one entry per domain");
            continue;
        }
        if (auto [it, fresh] = seen.emplace(e.name, e.origin); !fresh) {
            problem(l.origin, "key \"" + l.key + "\" defined twice (first at " + it->second.str() + ")");
            continue;
        }
        table.entries_.push_back(std::move(e));
    }
    if (!problems.empty())
        return make_error(ErrorKind::invalid, problems);
    return table;
}

Result<KeyTable> KeyTable::load(std::string_view spec)
{
    auto ds = parse_dataset(spec);
    if (!ds)
        return make_error(ErrorKind::invalid, "KeyTable " + std::string(spec) + ": " + ds.error().message);
    if (ds->kind == DatasetKind::refile)
        return make_error(
            ErrorKind::invalid, "KeyTable " + std::string(spec) + ": a KeyTable cannot be a refile");
    auto text = read_table_file(ds->path);
    if (!text)
        return text.error();
    return parse(*text, ds->path);
}

const KeyTableEntry* KeyTable::find(std::string_view name) const noexcept
{
    for (const KeyTableEntry& e : entries_)
        if (e.name == name)
            return &e;
    return nullptr;
}

} // namespace sendsentry::dkim
