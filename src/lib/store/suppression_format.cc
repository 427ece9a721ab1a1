// Reading and writing suppression-list files (CSV, JSON Lines, SES forms);
// their time text is time_format's. The JSON reader takes one flat object per line: that
// is all JSON Lines suppression files hold, and it keeps the reader small.
#include "store/suppression_format.hh"

#include "core/json.hh"
#include "core/trim.hh"
#include "store/time_format.hh"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace sendsentry::store::format {
namespace {

    // Blanks around a CSV field or JSON line (the reader has removed the line end).
    constexpr std::string_view field_blanks = " \t";

    // ---- field names (CSV headers and JSON keys), matched case-insensitively

    enum Field : int {
        f_ignore = -1,
        f_address,
        f_scope,
        f_reason,
        f_source,
        f_detail,
        f_note,
        f_first_seen,
        f_last_seen,
        f_hits,
        f_expires,
        f_message_id,
        f_feedback_id,
    };

    std::string lower(std::string_view s)
    {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
            [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return out;
    }

    Field field_of(std::string_view name)
    {
        // Ours first, then the names SES uses in SuppressedDestination and
        // its bulk-import JSON (EmailAddress, Reason, LastUpdateTime,
        // Attributes.MessageId / FeedbackId).
        static constexpr std::array<std::pair<std::string_view, Field>, 19> names = { {
            { "address", f_address },
            { "emailaddress", f_address },
            { "email_address", f_address },
            { "email", f_address },
            { "recipient", f_address },
            { "scope", f_scope },
            { "reason", f_reason },
            { "source", f_source },
            { "detail", f_detail },
            { "note", f_note },
            { "first_seen", f_first_seen },
            { "last_seen", f_last_seen },
            { "lastupdatetime", f_last_seen },
            { "lastupdatedtime", f_last_seen },
            { "hits", f_hits },
            { "expires", f_expires },
            { "messageid", f_message_id },
            { "feedbackid", f_feedback_id },
            { "suppressionlistreason", f_reason },
        } };
        std::string l = lower(name);
        for (const auto& [n, f] : names)
            if (n == l)
                return f;
        return f_ignore;
    }

    void append_detail(Row& row, std::string_view key, std::string_view value)
    {
        std::string d = row.detail.value_or("");
        d += (d.empty() ? "" : " ") + std::string(key) + "=" + std::string(value);
        row.detail = std::move(d);
    }

    // Stores VALUE (text; IS_NULL for a JSON null) into ROW as FIELD says.
    Status set_field(Row& row, Field field, std::string_view value, bool is_null)
    {
        auto time_of = [&](std::optional<Time>& out) -> Status {
            if (is_null || value.empty())
                return {};
            auto t = parse_time(value);
            if (!t)
                return std::move(t).error();
            out = *t;
            return {};
        };
        switch (field) {
        case f_ignore:
            return {};
        case f_address:
            row.address = std::string(value);
            return {};
        case f_scope:
            row.scope = std::string(value);
            return {};
        case f_reason:
            if (!value.empty())
                row.reason = std::string(value);
            return {};
        case f_source:
            row.source = std::string(value);
            return {};
        case f_detail: {
            // Ids read earlier (SES attributes) go after the detail text.
            std::string d(value);
            if (row.detail && !row.detail->empty())
                d += (d.empty() ? "" : " ") + *row.detail;
            row.detail = std::move(d);
            return {};
        }
        case f_note:
            row.note = std::string(value);
            return {};
        case f_first_seen:
            return time_of(row.first_seen);
        case f_last_seen:
            return time_of(row.last_seen);
        case f_hits: {
            if (is_null || value.empty())
                return {};
            std::int64_t n = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc() || p != value.data() + value.size() || n < 1)
                return make_error(ErrorKind::invalid, "hits must be a positive integer");
            row.hits = n;
            return {};
        }
        case f_expires: {
            std::optional<Time> t;
            if (auto s = time_of(t); !s)
                return s;
            row.expires = t;
            return {};
        }
        case f_message_id:
            if (!value.empty())
                append_detail(row, "message-id", value);
            return {};
        case f_feedback_id:
            if (!value.empty())
                append_detail(row, "feedback-id", value);
            return {};
        }
        return {};
    }

    Status check_address(const Row& row)
    {
        if (row.address.empty())
            return make_error(ErrorKind::invalid, "no address");
        return {};
    }

    // ---- JSON (one flat object per line)

    class JsonObjectReader {
    public:
        explicit JsonObjectReader(std::string_view text)
            : s_(text)
        {
        }

        // Calls VISIT(key, value, is_null) for each member. The members of a
        // nested object (SES's "Attributes") are visited as if at the top.
        template <class Visit> Status read(Visit visit)
        {
            if (auto s = object(visit, 0); !s)
                return s;
            return finish();
        }

    private:
        // Nesting deeper than this is not a suppression record.
        static constexpr int max_depth = 4;

        template <class Visit> Status object(Visit& visit, int depth)
        {
            skip_ws();
            if (!eat('{'))
                return fail("expected a JSON object");
            skip_ws();
            if (eat('}'))
                return {};
            for (;;) {
                skip_ws();
                std::string key;
                if (auto k = string_value(key); !k)
                    return k;
                skip_ws();
                if (!eat(':'))
                    return fail("expected ':'");
                skip_ws();
                if (pos_ < s_.size() && s_[pos_] == '{') {
                    if (depth + 1 >= max_depth)
                        return fail("objects nested too deep");
                    if (auto v = object(visit, depth + 1); !v)
                        return v;
                } else {
                    std::string value;
                    bool is_null = false;
                    if (auto v = scalar(value, is_null); !v)
                        return v;
                    if (auto v = visit(key, value, is_null); !v)
                        return v;
                }
                skip_ws();
                if (eat('}'))
                    return {};
                if (!eat(','))
                    return fail("expected ',' or '}'");
            }
        }

        Status finish()
        {
            skip_ws();
            return pos_ == s_.size() ? Status() : fail("text after the object");
        }
        Status fail(std::string_view what) const
        {
            return make_error(
                ErrorKind::invalid, "JSON: " + std::string(what) + " at column " + std::to_string(pos_ + 1));
        }
        void skip_ws()
        {
            while (pos_ < s_.size()
                && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n'))
                ++pos_;
        }
        bool eat(char c)
        {
            if (pos_ < s_.size() && s_[pos_] == c) {
                ++pos_;
                return true;
            }
            return false;
        }
        bool word(std::string_view w)
        {
            if (s_.substr(pos_, w.size()) != w)
                return false;
            pos_ += w.size();
            return true;
        }

        static void put_utf8(std::string& out, std::uint32_t cp)
        {
            if (cp < 0x80) {
                out += static_cast<char>(cp);
            } else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += static_cast<char>(0xF0 | (cp >> 18));
                out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            }
        }

        bool hex4(std::uint32_t& out)
        {
            if (pos_ + 4 > s_.size())
                return false;
            out = 0;
            for (int i = 0; i < 4; ++i) {
                char c = s_[pos_++];
                out <<= 4;
                if (c >= '0' && c <= '9')
                    out |= static_cast<std::uint32_t>(c - '0');
                else if (c >= 'a' && c <= 'f')
                    out |= static_cast<std::uint32_t>(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    out |= static_cast<std::uint32_t>(c - 'A' + 10);
                else
                    return false;
            }
            return true;
        }

        Status string_value(std::string& out)
        {
            if (!eat('"'))
                return fail("expected a string");
            while (pos_ < s_.size()) {
                char c = s_[pos_++];
                if (c == '"')
                    return {};
                if (static_cast<unsigned char>(c) < 0x20)
                    return fail("control character in string");
                if (c != '\\') {
                    out += c;
                    continue;
                }
                if (pos_ >= s_.size())
                    break;
                char e = s_[pos_++];
                switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(cp))
                        return fail("bad \\u escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t lo = 0;
                        if (!word("\\u") || !hex4(lo) || lo < 0xDC00 || lo > 0xDFFF)
                            return fail("unpaired surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return fail("unpaired surrogate");
                    }
                    put_utf8(out, cp);
                    break;
                }
                default:
                    return fail("bad escape");
                }
            }
            return fail("unterminated string");
        }

        Status scalar(std::string& out, bool& is_null)
        {
            if (pos_ < s_.size() && s_[pos_] == '"')
                return string_value(out);
            if (word("null")) {
                is_null = true;
                return {};
            }
            if (word("true")) {
                out = "true";
                return {};
            }
            if (word("false")) {
                out = "false";
                return {};
            }
            std::size_t start = pos_;
            while (pos_ < s_.size()
                && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' || s_[pos_] == '+'
                    || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
                ++pos_;
            if (pos_ == start)
                return fail("expected a string, number, true, false or null (nested values are not read)");
            out = std::string(s_.substr(start, pos_ - start));
            return {};
        }

        std::string_view s_;
        std::size_t pos_ = 0;
    };

    // ---- writing

    bool needs_quotes(std::string_view s)
    {
        if (s.empty())
            return false;
        if (s.front() == ' ' || s.back() == ' ')
            return true;
        return s.find_first_of(",\"\r\n") != std::string_view::npos;
    }

    void csv_field(std::string& out, std::string_view s)
    {
        if (!needs_quotes(s)) {
            out += s;
            return;
        }
        out += '"';
        for (char c : s) {
            if (c == '"')
                out += '"';
            out += c;
        }
        out += '"';
    }

} // namespace

Result<InputFormat> parse_input_format(std::string_view text)
{
    if (text.empty() || text == "auto")
        return InputFormat::automatic;
    if (text == "csv" || text == "ses")
        return InputFormat::csv;
    if (text == "jsonl" || text == "json")
        return InputFormat::jsonl;
    return make_error(
        ErrorKind::invalid, "unknown input format '" + std::string(text) + "' (expected auto|csv|ses|jsonl)");
}

Result<OutputFormat> parse_output_format(std::string_view text)
{
    if (text == "csv")
        return OutputFormat::csv;
    if (text == "jsonl" || text == "json")
        return OutputFormat::jsonl;
    if (text == "ses")
        return OutputFormat::ses;
    return make_error(
        ErrorKind::invalid, "unknown output format '" + std::string(text) + "' (expected csv|jsonl|ses)");
}

// ---- RowReader

RowReader::RowReader(std::istream& in, InputFormat format)
    : in_(in)
    , format_(format)
{
}

bool RowReader::read_line(std::string& line)
{
    if (!std::getline(in_, line))
        return false;
    ++line_;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return true;
}

Result<std::optional<Row>> RowReader::next()
{
    if (format_ == InputFormat::automatic) {
        // Decide from the first non-blank character: JSON Lines start with '{'.
        int c = 0;
        while ((c = in_.peek()) != EOF && std::isspace(c)) {
            if (in_.get() == '\n')
                ++line_;
        }
        format_ = c == '{' ? InputFormat::jsonl : InputFormat::csv;
    }
    return format_ == InputFormat::jsonl ? next_jsonl() : next_csv();
}

Result<std::optional<std::vector<std::string>>> RowReader::read_csv_record()
{
    using Record = std::optional<std::vector<std::string>>;
    std::string line;
    do {
        if (!read_line(line))
            return Record();
    } while (trim(line, field_blanks).empty());
    record_line_ = line_;

    std::vector<std::string> fields;
    std::string field;
    std::size_t total = line.size();
    std::size_t i = 0;
    for (;;) {
        // At the start of a field.
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        if (i < line.size() && line[i] == '"') {
            ++i;
            for (;;) {
                if (i >= line.size()) {
                    // RFC 4180: a quoted field may span lines.
                    std::string more;
                    if (!read_line(more))
                        return make_error(ErrorKind::invalid, "unterminated quoted field");
                    total += more.size() + 1;
                    if (total > max_record_bytes)
                        return make_error(ErrorKind::invalid, "record longer than 64 KiB");
                    field += '\n';
                    line = std::move(more);
                    i = 0;
                    continue;
                }
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
                ++i;
            if (i < line.size() && line[i] != ',')
                return make_error(ErrorKind::invalid, "text after a closing quote");
        } else {
            std::size_t end = line.find(',', i);
            if (end == std::string::npos)
                end = line.size();
            field = std::string(trim(std::string_view(line).substr(i, end - i), field_blanks));
            i = end;
        }
        fields.push_back(std::move(field));
        field.clear();
        if (i >= line.size())
            break;
        ++i; // the comma
    }
    if (total > max_record_bytes)
        return make_error(ErrorKind::invalid, "record longer than 64 KiB");
    return Record(std::move(fields));
}

Result<std::optional<Row>> RowReader::next_csv()
{
    auto record = read_csv_record();
    if (!record)
        return std::move(record).error();
    if (!*record)
        return std::optional<Row>();
    const std::vector<std::string>& fields = **record;

    if (!header_seen_) {
        header_seen_ = true;
        bool is_header = std::any_of(
            fields.begin(), fields.end(), [](const std::string& f) { return field_of(f) == f_address; });
        if (is_header) {
            for (const std::string& f : fields)
                columns_.push_back(field_of(f));
            return next_csv();
        }
        // No header: the SES bulk-import form "address[,REASON]".
        columns_ = { f_address, f_reason };
    }
    bool positional = columns_.size() == 2 && columns_[0] == f_address && columns_[1] == f_reason;
    if (fields.size() > columns_.size())
        return make_error(ErrorKind::invalid,
            "expected at most " + std::to_string(columns_.size()) + " fields"
                + (positional ? " without a header line (address,reason)" : "") + ", got "
                + std::to_string(fields.size()));
    Row row;
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (auto s = set_field(row, static_cast<Field>(columns_[i]), fields[i], false); !s)
            return s.error();
    if (auto s = check_address(row); !s)
        return s.error();
    return std::optional<Row>(std::move(row));
}

Result<std::optional<Row>> RowReader::next_jsonl()
{
    std::string line;
    do {
        if (!read_line(line))
            return std::optional<Row>();
    } while (trim(line, field_blanks).empty());
    record_line_ = line_;
    if (line.size() > max_record_bytes)
        return make_error(ErrorKind::invalid, "record longer than 64 KiB");
    Row row;
    JsonObjectReader reader(line);
    Status s = reader.read([&](const std::string& key, const std::string& value, bool is_null) {
        return set_field(row, field_of(key), value, is_null);
    });
    if (!s)
        return s.error();
    if (auto c = check_address(row); !c)
        return c.error();
    return std::optional<Row>(std::move(row));
}

// ---- writing

std::string csv_header()
{
    return "address,scope,reason,source,detail,first_seen,last_seen,hits,expires,note\n";
}

std::string to_csv(const Suppression& e)
{
    std::string out;
    csv_field(out, e.address);
    out += ',';
    csv_field(out, e.scope);
    out += ',';
    out += to_string(e.reason);
    out += ',';
    csv_field(out, e.source);
    out += ',';
    csv_field(out, e.detail);
    out += ',';
    out += iso_time(e.first_seen);
    out += ',';
    out += iso_time(e.last_seen);
    out += ',';
    out += std::to_string(e.hits);
    out += ',';
    if (e.expires)
        out += iso_time(*e.expires);
    out += ',';
    csv_field(out, e.note);
    out += '\n';
    return out;
}

std::string to_json(const Suppression& e)
{
    std::string out = "{\"address\":" + json_string(e.address);
    out += ",\"scope\":" + json_string(e.scope);
    out += ",\"reason\":" + json_string(to_string(e.reason));
    out += ",\"source\":" + json_string(e.source);
    out += ",\"detail\":" + json_string(e.detail);
    out += ",\"first_seen\":" + json_string(iso_time(e.first_seen));
    out += ",\"last_seen\":" + json_string(iso_time(e.last_seen));
    out += ",\"hits\":" + std::to_string(e.hits);
    out += ",\"expires\":" + (e.expires ? json_string(iso_time(*e.expires)) : std::string("null"));
    out += ",\"note\":" + json_string(e.note);
    out += '}';
    return out;
}

std::string_view ses_reason(Reason reason) noexcept
{
    switch (reason) {
    case Reason::hard_bounce:
    case Reason::soft_bounce:
        return "BOUNCE";
    case Reason::complaint:
    case Reason::unsubscribe:
    case Reason::manual:
        return "COMPLAINT";
    }
    return "COMPLAINT";
}

std::optional<std::string> to_ses_csv(const Suppression& e)
{
    if (!e.scope.empty())
        return std::nullopt;
    std::string out;
    csv_field(out, e.address);
    out += ',';
    out += ses_reason(e.reason);
    out += '\n';
    return out;
}

} // namespace sendsentry::store::format
