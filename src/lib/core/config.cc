// INI parser for sendsentry.conf: "[section]" lines, "key = value" lines,
// "#" or ";" comment lines. Collects every error before refusing.
#include "core/config.hh"

#include "core/trim.hh"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sendsentry::config {
namespace {

    // A config line longer than this is a broken or hostile file, not a setting.
    constexpr std::size_t max_line_length = 64 * 1024;

    std::string full_name(std::string_view section, std::string_view name)
    {
        std::string k(section);
        k += '.';
        k += name;
        return k;
    }

    Result<std::int64_t> parse_number(std::string_view text, int base)
    {
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size())
            return make_error(ErrorKind::invalid,
                base == 8 ? "expected octal permission bits such as 0660" : "expected an integer");
        return v;
    }

    bool is_choice(std::string_view choices, std::string_view word)
    {
        while (!choices.empty()) {
            auto bar = choices.find('|');
            if (choices.substr(0, bar) == word)
                return true;
            if (bar == std::string_view::npos)
                break;
            choices.remove_prefix(bar + 1);
        }
        return false;
    }

    std::string choices_text(std::string_view choices)
    {
        std::string out;
        for (char c : choices)
            out += c == '|' ? std::string(", ") : std::string(1, c);
        return out;
    }

} // namespace

std::string Diagnostic::to_string() const
{
    std::ostringstream out;
    out << file;
    if (line > 0)
        out << ':' << line;
    out << ": ";
    if (!key.empty())
        out << key << ": ";
    out << message;
    return out.str();
}

Result<std::int64_t> parse_duration(std::string_view text)
{
    if (text.empty())
        return make_error(ErrorKind::invalid, "expected a duration such as 30s, 5m, 2h, 7d or 1w");
    std::int64_t unit = 1;
    switch (text.back()) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    case 'w':
        unit = 7 * 86400;
        break;
    default:
        unit = 0;
    }
    if (unit != 0)
        text.remove_suffix(1);
    else
        unit = 1;
    auto n = parse_number(text, 10);
    if (!n || *n < 0 || *n > INT64_MAX / unit)
        return make_error(ErrorKind::invalid, "expected a duration such as 30s, 5m, 2h, 7d or 1w");
    return *n * unit;
}

Result<bool> parse_boolean(std::string_view text)
{
    for (auto yes : { "yes", "true", "on", "1" })
        if (text == yes)
            return true;
    for (auto no : { "no", "false", "off", "0" })
        if (text == no)
            return false;
    return make_error(ErrorKind::invalid, "expected yes or no");
}

Result<std::int64_t> parse_percent_ppm(std::string_view text)
{
    // Up to four decimals: 0.0001% is 1 ppm, the finest rate anyone configures.
    auto bad = make_error(ErrorKind::invalid, "expected a percentage such as 2% or 0.3%");
    if (text.empty() || text.back() != '%')
        return bad;
    text.remove_suffix(1);
    auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    if (frac.size() > 4 || (dot != std::string_view::npos && frac.empty()) || whole.size() > 3)
        return bad;
    auto w = parse_number(whole, 10);
    if (!w || *w < 0)
        return bad;
    std::int64_t ppm = *w * 10000;
    std::int64_t scale = 1000;
    for (char c : frac) {
        if (c < '0' || c > '9')
            return bad;
        ppm += (c - '0') * scale;
        scale /= 10;
    }
    return ppm;
}

std::vector<std::string> split_list(std::string_view text)
{
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t') {
            if (!word.empty())
                words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty())
        words.push_back(std::move(word));
    return words;
}

// Turns text into a Config; a class so that it may fill Config's private map.
class Parser {
public:
    Parser(std::string_view file, std::vector<Diagnostic>& diags)
        : file_(file)
        , diags_(diags)
    {
        config_.source_ = std::string(file);
    }

    void run(std::string_view text)
    {
        int line_no = 0;
        std::string section;
        while (!text.empty()) {
            ++line_no;
            auto nl = text.find('\n');
            std::string_view raw = text.substr(0, nl);
            text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
            if (raw.size() > max_line_length) {
                add(line_no, "", "line longer than " + std::to_string(max_line_length) + " bytes");
                continue;
            }
            std::string_view line = trim(raw);
            if (line.empty() || line.front() == '#' || line.front() == ';')
                continue;
            if (line.front() == '[') {
                section = read_section(line, line_no);
                continue;
            }
            read_setting(section, line, line_no);
        }
    }

    Config take() { return std::move(config_); }

private:
    void add(int line, std::string key, std::string message)
    {
        diags_.push_back(Diagnostic { std::string(file_), line, std::move(key), std::move(message) });
    }

    std::string read_section(std::string_view line, int line_no)
    {
        if (line.back() != ']') {
            add(line_no, "", "section header must look like [name]");
            return "?";
        }
        std::string name(trim(line.substr(1, line.size() - 2)));
        bool known = false;
        for (const KeySpec& k : key_table())
            known = known || k.section == name;
        if (!known) {
            add(line_no, "", "unknown section [" + name + "]");
            return "?";
        }
        return name;
    }

    void read_setting(const std::string& section, std::string_view line, int line_no)
    {
        auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            add(line_no, "", "expected \"key = value\"");
            return;
        }
        std::string_view name = trim(line.substr(0, eq));
        std::string_view value = trim(line.substr(eq + 1));
        if (section == "?")
            return; // the bad section header was reported already
        if (section.empty()) {
            add(line_no, std::string(name), "setting outside any [section]");
            return;
        }
        std::string key = full_name(section, name);
        const KeySpec* spec = find_key(section, name);
        if (!spec) {
            add(line_no, key, "unknown key");
            return;
        }
        Config::Value& slot = config_.values_.find(key)->second;
        if (slot.set) {
            add(line_no, key, "set twice (first on line " + std::to_string(seen_[key]) + ")");
            return;
        }
        seen_[key] = line_no;
        auto checked = check(*spec, value);
        if (!checked) {
            add(line_no, key, checked.error().message);
            return;
        }
        slot.text = std::string(value);
        slot.number = *checked;
        slot.set = true;
    }

    std::map<std::string, int> seen_;
    std::string_view file_;
    std::vector<Diagnostic>& diags_;
    Config config_;

public:
    // Validates VALUE against SPEC; the number is what accessors return.
    static Result<std::int64_t> check(const KeySpec& spec, std::string_view value)
    {
        auto in_range = [&](Result<std::int64_t> n) -> Result<std::int64_t> {
            if (!n)
                return n;
            if (*n < spec.min || *n > spec.max)
                return make_error(ErrorKind::invalid,
                    "must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max)
                        + (spec.type == KeyType::duration ? " seconds" : ""));
            return n;
        };
        switch (spec.type) {
        case KeyType::string:
        case KeyType::path:
        case KeyType::list:
            return std::int64_t { 0 };
        case KeyType::integer:
            return in_range(parse_number(value, 10));
        case KeyType::octal:
            return in_range(parse_number(value, 8));
        case KeyType::duration:
            return in_range(parse_duration(value));
        case KeyType::percent:
            return in_range(parse_percent_ppm(value));
        case KeyType::boolean: {
            auto b = parse_boolean(value);
            if (!b)
                return b.error();
            return std::int64_t { *b ? 1 : 0 };
        }
        case KeyType::choice:
            if (!is_choice(spec.choices, value))
                return make_error(ErrorKind::invalid, "expected one of: " + choices_text(spec.choices));
            return std::int64_t { 0 };
        }
        return make_error(ErrorKind::internal, "unknown key type");
    }
};

Config::Config()
{
    for (const KeySpec& k : key_table()) {
        Value v;
        v.text = std::string(k.default_value);
        auto n = Parser::check(k, k.default_value);
        v.number = n ? *n : 0;
        values_.emplace(full_name(k.section, k.name), std::move(v));
    }
}

const Config::Value& Config::get(std::string_view section, std::string_view name, KeyType type) const
{
    const KeySpec* spec = find_key(section, name);
    if (!spec)
        throw std::logic_error("undeclared configuration key " + full_name(section, name));
    bool compatible = spec->type == type
        || (type == KeyType::string && (spec->type == KeyType::path || spec->type == KeyType::choice))
        || (type == KeyType::integer && spec->type == KeyType::octal);
    if (!compatible)
        throw std::logic_error(
            "configuration key " + full_name(section, name) + " is a " + std::string(to_string(spec->type)));
    return values_.find(full_name(section, name))->second;
}

const std::string& Config::string(std::string_view s, std::string_view n) const
{
    return get(s, n, KeyType::string).text;
}

std::int64_t Config::integer(std::string_view s, std::string_view n) const
{
    return get(s, n, KeyType::integer).number;
}

bool Config::boolean(std::string_view s, std::string_view n) const
{
    return get(s, n, KeyType::boolean).number != 0;
}

std::chrono::seconds Config::duration(std::string_view s, std::string_view n) const
{
    return std::chrono::seconds(get(s, n, KeyType::duration).number);
}

std::vector<std::string> Config::list(std::string_view s, std::string_view n) const
{
    return split_list(get(s, n, KeyType::list).text);
}

std::int64_t Config::ppm(std::string_view s, std::string_view n) const
{
    return get(s, n, KeyType::percent).number;
}

bool Config::is_set(std::string_view s, std::string_view n) const
{
    const KeySpec* spec = find_key(s, n);
    if (!spec)
        throw std::logic_error("undeclared configuration key " + full_name(s, n));
    return values_.find(full_name(s, n))->second.set;
}

Result<Config> parse(std::string_view text, std::string_view file, std::vector<Diagnostic>* diagnostics)
{
    std::vector<Diagnostic> diags;
    if (text.find('\0') != std::string_view::npos)
        diags.push_back(Diagnostic { std::string(file), 0, "", "contains a NUL byte; not a text file" });
    Parser parser(file, diags);
    if (diags.empty())
        parser.run(text);
    if (diagnostics)
        *diagnostics = diags;
    if (!diags.empty()) {
        std::string all;
        for (const Diagnostic& d : diags)
            all += (all.empty() ? "" : "\n") + d.to_string();
        return make_error(ErrorKind::invalid, std::move(all));
    }
    return parser.take();
}

Result<Config> load(const std::string& path, std::vector<Diagnostic>* diagnostics)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        Diagnostic d { path, 0, "", "cannot open: " + std::string(std::strerror(errno)) };
        if (diagnostics)
            *diagnostics = { d };
        return make_error(ErrorKind::io, d.to_string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path, diagnostics);
}

} // namespace sendsentry::config
