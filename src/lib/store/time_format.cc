// Time text of suppression files and the CLI: ISO 8601 in UTC and Unix
// seconds, with no time zone database or locale involved (time_format.hh).
#include "store/time_format.hh"

#include "core/trim.hh"

#include <charconv>
#include <ctime>

namespace sendsentry::store::format {
namespace {

    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
    // days_from_civil), so no time zone or locale is involved.
    std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d)
    {
        y -= m <= 2;
        const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
        const unsigned yoe = static_cast<unsigned>(y - era * 400);
        const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
    }

    bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

    // Reads exactly N digits at POS.
    bool digits(std::string_view s, std::size_t& pos, int n, int& out)
    {
        if (pos + static_cast<std::size_t>(n) > s.size())
            return false;
        out = 0;
        for (int i = 0; i < n; ++i) {
            char c = s[pos + static_cast<std::size_t>(i)];
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
        }
        pos += static_cast<std::size_t>(n);
        return true;
    }

    Result<Time> bad_time(std::string_view text)
    {
        return make_error(ErrorKind::invalid,
            "bad time '" + std::string(text.substr(0, 40))
                + "' (expected 2026-11-25, 2026-11-25T16:04:05Z or Unix seconds)");
    }

    Result<Time> parse_unix(std::string_view text)
    {
        auto dot = text.find('.');
        std::string_view whole = text.substr(0, dot);
        if (dot != std::string_view::npos) {
            std::string_view frac = text.substr(dot + 1);
            if (frac.empty()
                || !std::all_of(frac.begin(), frac.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return bad_time(text);
        }
        Time t = 0;
        auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), t);
        if (whole.empty() || ec != std::errc() || p != whole.data() + whole.size() || t < 0)
            return bad_time(text);
        return t;
    }

    Result<Time> parse_iso(std::string_view s)
    {
        std::size_t pos = 0;
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
        if (!digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, mo)
            || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, d))
            return bad_time(s);
        static constexpr std::array<int, 12> month_days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        if (mo < 1 || mo > 12 || d < 1
            || d > month_days[static_cast<std::size_t>(mo - 1)] + (mo == 2 && leap(y)))
            return bad_time(s);
        std::int64_t offset = 0;
        if (pos < s.size()) {
            if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')
                return bad_time(s);
            ++pos;
            if (!digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, mi))
                return bad_time(s);
            if (pos < s.size() && s[pos] == ':' && (++pos, !digits(s, pos, 2, sec)))
                return bad_time(s);
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                std::size_t start = pos;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
                    ++pos;
                if (pos == start)
                    return bad_time(s);
            }
            if (h > 23 || mi > 59 || sec > 60) // 60: a leap second, counted as :59 + 1
                return bad_time(s);
            if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
                ++pos;
            } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
                int sign = s[pos++] == '-' ? -1 : 1;
                int oh = 0, om = 0;
                if (!digits(s, pos, 2, oh))
                    return bad_time(s);
                if (pos < s.size() && s[pos] == ':')
                    ++pos;
                if (!digits(s, pos, 2, om) || oh > 23 || om > 59)
                    return bad_time(s);
                offset = sign * (oh * 3600 + om * 60);
            }
        }
        if (pos != s.size())
            return bad_time(s);
        Time t = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600
            + mi * 60 + sec - offset;
        if (t < 0)
            return bad_time(s);
        return t;
    }

} // namespace

std::string iso_time(Time t)
{
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm {};
    if (!gmtime_r(&tt, &tm))
        return std::to_string(t);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return n ? std::string(buf, n) : std::to_string(t);
}

Result<Time> parse_time(std::string_view text)
{
    text = trim(text, " \t");
    if (text.empty())
        return bad_time(text);
    if (text.size() > 10 && text[4] == '-')
        return parse_iso(text);
    if (text.size() == 10 && text[4] == '-')
        return parse_iso(text);
    return parse_unix(text);
}

} // namespace sendsentry::store::format
