// Gathering the HTML report's series from the store and drawing it as one
// page of HTML with inline SVG.
#include "reputation/html_report.hh"

#include "reputation/counters.hh"
#include "store/suppression_format.hh"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace sendsentry::reputation {
namespace {

    // The longest span a report charts: beyond a year hourly counters are
    // rarely kept, and the per-hour arrays stay small.
    constexpr store::Time max_span = 366 * 86400;

    // Chart geometry (SVG user units).
    constexpr int chart_w = 720, chart_h = 180, left = 56, right = 110, top_pad = 14, bottom = 24;

    struct Hourly {
        std::vector<std::int64_t> sent, hard, complaints; // per hour from the first hour
    };

    std::string esc(std::string_view text)
    {
        std::string out;
        for (char c : text) {
            switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
            }
        }
        return out;
    }

    std::string num(double v)
    {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", v);
        return buf;
    }

    std::string short_time(store::Time t)
    {
        std::string iso = store::format::iso_time(t); // 2026-11-25T17:00:00Z
        return iso.size() >= 16 ? iso.substr(0, 10) + " " + iso.substr(11, 5) : iso;
    }

    std::int64_t sum(const std::vector<std::int64_t>& v, std::int64_t from, std::int64_t to)
    {
        std::int64_t s = 0;
        for (std::int64_t i = std::max<std::int64_t>(from, 0); i < std::min<std::int64_t>(to, std::ssize(v));
             ++i)
            s += v[static_cast<std::size_t>(i)];
        return s;
    }

    double x_of(std::size_t i, std::size_t n)
    {
        double plot = chart_w - left - right;
        return left + (n <= 1 ? plot / 2 : plot * static_cast<double>(i) / static_cast<double>(n - 1));
    }

    double y_of(double v, double max)
    {
        double plot = chart_h - top_pad - bottom;
        return top_pad + plot - (max > 0 ? plot * std::min(v, max) / max : 0);
    }

    std::string frame(const std::string& id, const std::string& label, double max,
        const std::string& max_text, const HtmlReport& r)
    {
        std::string s = "<svg id=\"" + id + "\" class=\"chart\" viewBox=\"0 0 " + std::to_string(chart_w)
            + " " + std::to_string(chart_h) + "\" role=\"img\" aria-label=\"" + esc(label) + "\">\n";
        s += "<title>" + esc(label) + "</title>\n";
        double x0 = left, x1 = chart_w - right, y0 = y_of(0, max), y1 = y_of(max, max);
        s += "<line class=\"axis\" x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x1) + "\" y2=\""
            + num(y0) + "\"/>\n";
        s += "<line class=\"axis\" x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x0) + "\" y2=\""
            + num(y1) + "\"/>\n";
        s += "<text class=\"tick\" x=\"" + num(x0 - 4) + "\" y=\"" + num(y1 + 4) + "\" text-anchor=\"end\">"
            + esc(max_text) + "</text>\n";
        s += "<text class=\"tick\" x=\"" + num(x0 - 4) + "\" y=\"" + num(y0)
            + "\" text-anchor=\"end\">0</text>\n";
        s += "<text class=\"tick\" x=\"" + num(x0) + "\" y=\"" + num(chart_h - 6) + "\">"
            + esc(short_time(r.since)) + "</text>\n";
        s += "<text class=\"tick\" x=\"" + num(x1) + "\" y=\"" + num(chart_h - 6) + "\" text-anchor=\"end\">"
            + esc(short_time(r.now)) + "</text>\n";
        return s;
    }

    std::string polyline(const std::string& cls, const std::vector<double>& values, double max)
    {
        std::string pts;
        for (std::size_t i = 0; i < values.size(); ++i)
            pts += (i ? " " : "") + num(x_of(i, values.size())) + "," + num(y_of(values[i], max));
        return "<polyline class=\"series " + cls + "\" points=\"" + pts + "\"/>\n";
    }

    std::string threshold_line(const char* level, const char* metric, std::int64_t ppm, double max)
    {
        double y = y_of(static_cast<double>(ppm), max);
        std::string text = std::string(level) + " " + format_ppm(ppm);
        return "<line class=\"threshold " + std::string(level) + "\" data-metric=\"" + metric
            + "\" data-threshold=\"" + format_ppm(ppm) + "\" x1=\"" + num(left) + "\" y1=\"" + num(y)
            + "\" x2=\"" + num(chart_w - right) + "\" y2=\"" + num(y) + "\"/>\n<text class=\"threshold-label "
            + level + "\" x=\"" + num(chart_w - right + 4) + "\" y=\"" + num(y + 4) + "\">" + esc(text)
            + "</text>\n";
    }

    std::string volume_chart(const SenderSeries& s, const HtmlReport& r)
    {
        std::vector<double> v;
        double max = 1;
        for (const SeriesPoint& p : s.points) {
            v.push_back(static_cast<double>(p.sent));
            max = std::max(max, static_cast<double>(p.sent));
        }
        std::string per = r.step == 3600 ? "hour" : std::to_string(r.step / 3600) + " hours";
        std::string label = "Messages sent by " + s.sender + " per " + per;
        std::string out = frame(
            "volume-" + chart_id(s.sender), label, max, std::to_string(static_cast<long long>(max)), r);
        out += polyline("sent", v, max);
        return out + "</svg>\n";
    }

    std::string rate_chart(const SenderSeries& s, const HtmlReport& r, bool hard)
    {
        const Thresholds& t = r.thresholds;
        std::int64_t warn = hard ? t.warn_hard_bounce_ppm : t.warn_complaint_ppm;
        std::int64_t suspend = hard ? t.suspend_hard_bounce_ppm : t.suspend_complaint_ppm;
        std::vector<double> v;
        double max = static_cast<double>(std::max(warn, suspend)) * 1.25;
        for (const SeriesPoint& p : s.points) {
            double ppm = static_cast<double>(hard ? p.hard_bounce_ppm : p.complaint_ppm);
            v.push_back(ppm);
            max = std::max(max, ppm);
        }
        max = std::max(max, 1.0);
        const char* metric = hard ? "hard-bounce-rate" : "complaint-rate";
        std::string window = t.windows.empty() ? std::string("24h") : window_name(t.windows.front());
        std::string label = std::string(hard ? "Hard-bounce" : "Complaint") + " rate of " + s.sender
            + " over " + window + ", with the warning and suspension thresholds";
        std::string out = frame(std::string(metric) + "-" + chart_id(s.sender), label, max,
            format_ppm(static_cast<std::int64_t>(max)), r);
        out += threshold_line("warning", metric, warn, max);
        out += threshold_line("suspension", metric, suspend, max);
        out += polyline(metric, v, max);
        return out + "</svg>\n";
    }

    std::string bar_chart(const std::string& id, const std::string& label, const ReportTable& t)
    {
        constexpr int row_h = 22, label_w = 300, bar_w = 360;
        std::int64_t max = 1;
        for (const ReportRow& row : t.rows)
            max = std::max(max, row.count);
        int h = std::max<int>(1, static_cast<int>(t.rows.size())) * row_h + 8;
        std::string s = "<svg id=\"" + id + "\" class=\"chart bars\" viewBox=\"0 0 "
            + std::to_string(label_w + bar_w + 80) + " " + std::to_string(h) + "\" role=\"img\" aria-label=\""
            + esc(label) + "\">\n<title>" + esc(label) + "</title>\n";
        if (t.rows.empty())
            s += "<text class=\"tick\" x=\"4\" y=\"18\">none in this period</text>\n";
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            const ReportRow& row = t.rows[i];
            int y = static_cast<int>(i) * row_h + 4;
            double w = static_cast<double>(bar_w) * static_cast<double>(row.count) / static_cast<double>(max);
            s += "<text class=\"bar-label\" x=\"" + std::to_string(label_w - 6) + "\" y=\""
                + std::to_string(y + 15) + "\" text-anchor=\"end\">" + esc(row.key) + "</text>\n";
            s += "<rect class=\"bar\" data-key=\"" + esc(row.key) + "\" x=\"" + std::to_string(label_w)
                + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" + num(std::max(w, 1.0)) + "\" height=\""
                + std::to_string(row_h - 6) + "\"/>\n";
            s += "<text class=\"bar-value\" x=\"" + num(label_w + w + 6) + "\" y=\"" + std::to_string(y + 15)
                + "\">" + std::to_string(row.count) + "</text>\n";
        }
        return s + "</svg>\n";
    }

    const char* style
        = "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:960px}"
          "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}"
          ".chart{width:100%;max-width:720px;display:block;margin:.3em 0 1em}"
          ".axis{stroke:#888;stroke-width:1}.tick,.bar-label,.bar-value,.threshold-label{font-size:11px;fill:"
          "#444}"
          ".series{fill:none;stroke-width:2}.sent{stroke:#2b6cb0}.hard-bounce-rate{stroke:#c05621}"
          ".complaint-rate{stroke:#6b46c1}.threshold{stroke-width:1.5;stroke-dasharray:6 4}"
          ".threshold.warning{stroke:#d69e2e}.threshold.suspension{stroke:#c53030}"
          ".bar{fill:#4a5568}.state-ok{color:#276749}.state-warning{color:#b7791f}"
          ".state-suspended{color:#c53030}table{border-collapse:collapse}"
          "td,th{padding:2px 8px;text-align:left}";

} // namespace

std::string chart_id(std::string_view sender)
{
    std::string out;
    for (char c : sender) {
        char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
        out += (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' ? l : '_';
    }
    return out;
}

Result<HtmlReport> gather_html_report(store::Store& store, store::Time since, store::Time now,
    const Thresholds& thresholds, std::string_view sender, std::size_t top)
{
    HtmlReport r;
    r.now = now;
    r.since = bucket_of(std::max(since, now - max_span));
    r.thresholds = thresholds;
    store::Time window = thresholds.windows.empty() ? 86400 : thresholds.windows.front().count();
    std::int64_t hours = (now - r.since) / 3600 + 1;
    r.step = 3600 * ((hours + max_chart_points - 1) / max_chart_points);

    std::string subject = sender.find('@') == std::string_view::npos && !sender.starts_with("sasl:")
        ? domain_subject(sender)
        : std::string(sender);
    store::Time first = bucket_of(r.since - window);
    auto counters = store.list_counters(subject, first);
    if (!counters)
        return std::move(counters).error();
    std::map<std::string, Hourly> by_subject;
    std::size_t slots = static_cast<std::size_t>((now - first) / 3600 + 1);
    for (const store::Counter& c : *counters) {
        if (c.name != sent && c.name != hard_bounce && c.name != complaint)
            continue;
        if (c.bucket < first || static_cast<std::size_t>((c.bucket - first) / 3600) >= slots)
            continue;
        std::size_t i = static_cast<std::size_t>((c.bucket - first) / 3600);
        Hourly& h = by_subject[c.subject];
        if (h.sent.empty()) {
            h.sent.assign(slots, 0);
            h.hard.assign(slots, 0);
            h.complaints.assign(slots, 0);
        }
        (c.name == sent ? h.sent : c.name == hard_bounce ? h.hard : h.complaints)[i] += c.value;
    }

    std::int64_t step_hours = r.step / 3600, window_hours = window / 3600;
    std::int64_t offset = (r.since - first) / 3600; // slot of r.since
    for (auto& [name, h] : by_subject) {
        SenderSeries s;
        s.sender = name;
        auto row = store.get_sender(name);
        if (!row)
            return std::move(row).error();
        if (*row)
            s.state = (*row)->state;
        for (std::int64_t begin = offset; begin < std::ssize(h.sent); begin += step_hours) {
            std::int64_t end = begin + step_hours; // slots [begin, end)
            SeriesPoint p;
            p.at = first + std::min<std::int64_t>(end * 3600, now - first);
            p.sent = sum(h.sent, begin, end);
            p.window_sent = sum(h.sent, end - window_hours, end);
            std::int64_t hard = sum(h.hard, end - window_hours, end),
                         compl_ = sum(h.complaints, end - window_hours, end);
            p.hard_bounce_ppm = p.window_sent > 0 ? hard * 1000000 / p.window_sent : 0;
            p.complaint_ppm = p.window_sent > 0 ? compl_ * 1000000 / p.window_sent : 0;
            s.sent += p.sent;
            s.points.push_back(p);
        }
        r.senders.push_back(std::move(s));
    }
    std::stable_sort(r.senders.begin(), r.senders.end(),
        [](const SenderSeries& a, const SenderSeries& b) { return a.sent > b.sent; });
    if (r.senders.size() > max_chart_senders)
        r.senders.resize(max_chart_senders);

    auto bounces = build_report(store, { ReportKind::bounces, r.since, now, std::string(sender), top });
    if (!bounces)
        return std::move(bounces).error();
    r.bounce_reasons = bounces->tables.front(); // by_reason
    auto refused = build_report(store, { ReportKind::blocked_sends, r.since, now, std::string(sender), top });
    if (!refused)
        return std::move(refused).error();
    r.blocked_domains = refused->tables.back(); // by_recipient_domain
    return r;
}

std::string render_html(const HtmlReport& r)
{
    std::string title = "sendsentry report " + short_time(r.since) + " to " + short_time(r.now) + " UTC";
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        + esc(title) + "</title>\n<style>" + style + "</style>\n</head>\n<body>\n<h1>" + esc(title)
        + "</h1>\n";
    const Thresholds& t = r.thresholds;
    h += "<p id=\"thresholds\">Thresholds: warning at hard-bounce rate " + format_ppm(t.warn_hard_bounce_ppm)
        + " or complaint rate " + format_ppm(t.warn_complaint_ppm) + "; suspension at "
        + format_ppm(t.suspend_hard_bounce_ppm) + " or " + format_ppm(t.suspend_complaint_ppm)
        + "; judged above " + std::to_string(t.min_volume) + " messages per window.</p>\n";

    h += "<h2>Senders</h2>\n<table id=\"senders\">\n<tr><th>sender</th><th>state</th><th>sent</th></tr>\n";
    for (const SenderSeries& s : r.senders)
        h += "<tr><td><a href=\"#sender-" + chart_id(s.sender) + "\">" + esc(s.sender)
            + "</a></td><td class=\"state-" + std::string(store::to_string(s.state)) + "\">"
            + std::string(store::to_string(s.state)) + "</td><td>" + std::to_string(s.sent) + "</td></tr>\n";
    h += "</table>\n";
    if (r.senders.empty())
        h += "<p>No mail was counted in this period.</p>\n";

    h += "<h2>Top bounce reasons</h2>\n"
        + bar_chart("top-bounce-reasons", "Top bounce reasons", r.bounce_reasons);
    h += "<h2>Top blocked recipient domains</h2>\n"
        + bar_chart("top-blocked-domains", "Top recipient domains of blocked sends", r.blocked_domains);

    for (const SenderSeries& s : r.senders) {
        h += "<section id=\"sender-" + chart_id(s.sender) + "\">\n<h2>" + esc(s.sender)
            + " <span class=\"state-" + std::string(store::to_string(s.state)) + "\">("
            + std::string(store::to_string(s.state)) + ")</span></h2>\n";
        h += "<h3>Volume</h3>\n" + volume_chart(s, r);
        h += "<h3>Hard-bounce rate</h3>\n" + rate_chart(s, r, true);
        h += "<h3>Complaint rate</h3>\n" + rate_chart(s, r, false);
        h += "</section>\n";
    }
    return h + "</body>\n</html>\n";
}

} // namespace sendsentry::reputation
