// `sendsentry suppress list|export|import`: the list in pages, whole-list
// export (CSV, JSON Lines, SES), and import with per-line error reports.
#include "suppress_actions.hh"

#include "store/suppression_format.hh"
#include "store/suppression_import.hh"
#include "store/suppression_rules.hh"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace sendsentry::cli::suppress {

using store::Time;
namespace format = store::format;

namespace {

    // Bad lines printed one by one before only counting them, so that a
    // wrong file does not flood the terminal.
    constexpr std::int64_t max_reported_lines = 100;

    Result<store::SuppressionFilter> make_filter(const FilterOptions& o, Time now)
    {
        store::SuppressionFilter f;
        if (!o.reason.empty()) {
            auto r = store::parse_reason(o.reason);
            if (!r)
                return std::move(r).error();
            f.reason = *r;
        }
        if (o.scope_given) {
            auto s = store::normalize_scope(o.scope);
            if (!s)
                return std::move(s).error();
            f.scope = std::move(s).value();
        }
        if (!o.since.empty()) {
            auto t = parse_since(o.since, now);
            if (!t)
                return std::move(t).error();
            f.since = *t;
        }
        f.pattern = o.pattern;
        f.include_expired = o.expired;
        f.now = now;
        return f;
    }

    std::string column(std::string_view text, std::size_t width)
    {
        std::string s(text);
        if (s.size() < width)
            s.append(width - s.size(), ' ');
        return s;
    }

    void print_table(std::ostream& out, const std::vector<store::Suppression>& rows)
    {
        std::size_t aw = 7, sw = 5;
        for (const auto& e : rows) {
            aw = std::max(aw, e.address.size());
            sw = std::max(sw, e.scope.empty() ? std::size_t(6) : e.scope.size());
        }
        out << column("ADDRESS", aw) << "  " << column("SCOPE", sw) << "  " << column("REASON", 11) << "  "
            << column("LAST_SEEN", 20) << "  " << column("EXPIRES", 20) << "  HITS\n";
        for (const auto& e : rows)
            out << column(e.address, aw) << "  " << column(e.scope.empty() ? "global" : e.scope, sw) << "  "
                << column(to_string(e.reason), 11) << "  " << column(format::iso_time(e.last_seen), 20)
                << "  " << column(e.expires ? format::iso_time(*e.expires) : "never", 20) << "  " << e.hits
                << '\n';
    }

} // namespace

int run_list(Context& ctx, const ListOptions& o)
{
    const Time now = ctx.now();
    auto filter = make_filter(o.filter, now);
    if (!filter)
        return ctx.usage_error("list", filter.error().message);
    if (o.limit < 0 || o.offset < 0)
        return ctx.usage_error("list", "--limit and --offset must not be negative");
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());
    auto total = (*st)->count_suppressions(*filter);
    if (!total)
        return ctx.store_error("list", total.error());
    filter->limit = o.limit == 0 ? -1 : o.limit;
    filter->offset = o.offset;
    std::vector<store::Suppression> rows;
    Status s = (*st)->each_suppression(*filter, [&](const store::Suppression& e) {
        rows.push_back(e);
        return Status();
    });
    if (!s)
        return ctx.store_error("list", s.error());
    if (o.json) {
        ctx.out() << "{\"total\":" << *total << ",\"offset\":" << o.offset << ",\"limit\":" << o.limit
                  << ",\"entries\":[";
        for (std::size_t i = 0; i < rows.size(); ++i)
            ctx.out() << (i ? "," : "") << format::to_json(rows[i]);
        ctx.out() << "]}\n";
        return exit_ok;
    }
    print_table(ctx.out(), rows);
    std::int64_t shown_to = o.offset + static_cast<std::int64_t>(rows.size());
    if (shown_to < *total || o.offset > 0)
        ctx.err() << "rows " << (rows.empty() ? o.offset : o.offset + 1) << "-" << shown_to << " of "
                  << *total
                  << (shown_to < *total ? "; next page: --offset " + std::to_string(shown_to) : std::string())
                  << '\n';
    return exit_ok;
}

int run_export(Context& ctx, const ExportOptions& o)
{
    const Time now = ctx.now();
    auto filter = make_filter(o.filter, now);
    if (!filter)
        return ctx.usage_error("export", filter.error().message);
    auto fmt = format::parse_output_format(o.format);
    if (!fmt)
        return ctx.usage_error("--format", fmt.error().message);
    auto st = ctx.store();
    if (!st)
        return ctx.store_error("open", st.error());

    std::ofstream file;
    if (o.file != "-") {
        file.open(o.file, std::ios::binary | std::ios::trunc);
        if (!file)
            return ctx.usage_error(o.file, "cannot open for writing");
    }
    std::ostream& out = o.file == "-" ? ctx.out() : file;
    if (*fmt == format::OutputFormat::csv)
        out << format::csv_header();
    std::int64_t written = 0, skipped = 0;
    Status s = (*st)->each_suppression(*filter, [&](const store::Suppression& e) -> Status {
        switch (*fmt) {
        case format::OutputFormat::csv:
            out << format::to_csv(e);
            break;
        case format::OutputFormat::jsonl:
            out << format::to_json(e) << '\n';
            break;
        case format::OutputFormat::ses:
            if (auto line = format::to_ses_csv(e)) {
                out << *line;
            } else {
                ++skipped;
                return {};
            }
            break;
        }
        ++written;
        if (!out)
            return make_error(ErrorKind::io, "write failed");
        return {};
    });
    out.flush();
    if (!s)
        return ctx.store_error("export", s.error());
    if (!out)
        return ctx.store_error("export", make_error(ErrorKind::io, o.file + ": write failed"));
    ctx.err() << "exported " << written << " entries";
    if (skipped)
        ctx.err() << "; skipped " << skipped << " scoped to a sender domain (SES lists are account-wide)";
    ctx.err() << '\n';
    return exit_ok;
}

int run_import(Context& ctx, const ImportOptions& o)
{
    const Time now = ctx.now();
    auto fmt = format::parse_input_format(o.format);
    if (!fmt)
        return ctx.usage_error("--format", fmt.error().message);
    store::ImportDefaults defaults;
    auto reason = store::parse_reason(o.reason);
    if (!reason)
        return ctx.usage_error("--reason", reason.error().message);
    defaults.reason = *reason;
    auto scope = store::normalize_scope(o.scope);
    if (!scope)
        return ctx.usage_error("--scope", scope.error().message);
    defaults.scope = std::move(scope).value();
    auto expires = parse_expires(o.expires, now);
    if (!expires)
        return ctx.usage_error("import", expires.error().message);
    defaults.expires = *expires;
    defaults.note = o.note;

    std::ifstream file;
    if (o.file != "-") {
        file.open(o.file, std::ios::binary);
        if (!file)
            return ctx.usage_error(o.file, "cannot open for reading");
    }
    std::istream& in = o.file == "-" ? std::cin : file;
    const std::string name = o.file == "-" ? "(stdin)" : o.file;
    auto st = ctx.store(/*bulk=*/true);
    if (!st)
        return ctx.store_error("open", st.error());

    format::RowReader reader(in, *fmt);
    store::ImportOptions options;
    options.strict = o.strict;
    std::int64_t reported = 0;
    auto report
        = store::import_rows(**st, reader, defaults, options, now, [&](std::int64_t line, const Error& e) {
              if (++reported <= max_reported_lines)
                  ctx.err() << name << ':' << line << ": " << e.message << '\n';
          });
    if (reported > max_reported_lines)
        ctx.err() << name << ": " << reported - max_reported_lines << " more bad lines not shown\n";
    if (report.refused) {
        ctx.err() << "sendsentry: import: --strict: nothing imported\n";
        return exit_usage;
    }
    if (report.error) {
        ctx.err() << "sendsentry: import: stopped after reading " << name << ':' << report.error_line << "; "
                  << report.written << " entries were committed (importing the file again is safe)\n";
        return ctx.store_error("import", *report.error);
    }
    ctx.err() << "imported " << report.written << " entries (the list grew by " << report.grew
              << "); skipped " << report.bad << " bad lines\n";
    return exit_ok;
}

} // namespace sendsentry::cli::suppress
