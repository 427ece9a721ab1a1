// RFC 3464 section 2.2-2.3: per-message and per-recipient DSN fields.
#include "mail/dsn.hh"

#include "mail/text_util.hh"

namespace sendsentry::mail {
namespace {

    // "rfc822; user@example.com" -> "user@example.com"; also tolerates a
    // missing type and angle brackets.
    std::string strip_address_type(std::string_view v)
    {
        auto semi = v.find(';');
        if (semi != std::string_view::npos)
            v = v.substr(semi + 1);
        std::string a = find_address(v);
        return a.empty() ? std::string() : normalize_recipient(a);
    }

    std::string strip_type(std::string_view v)
    {
        auto semi = v.find(';');
        if (semi != std::string_view::npos)
            v = v.substr(semi + 1);
        return std::string(trim(v));
    }

    std::string leading_reply_code(std::string_view text)
    {
        text = trim(text);
        if (text.size() >= 3 && (text[0] == '2' || text[0] == '4' || text[0] == '5') && text[1] >= '0'
            && text[1] <= '9' && text[2] >= '0' && text[2] <= '9'
            && (text.size() == 3 || text[3] == ' ' || text[3] == '-'))
            return std::string(text.substr(0, 3));
        return {};
    }

    struct Field {
        std::string name; // lower-case
        std::string value;
    };

    // Unfolds TEXT into fields; an empty line yields a field with an empty name
    // as a group separator.
    std::vector<Field> read_fields(std::string_view text)
    {
        std::vector<Field> fields;
        for (std::string_view line : split_lines(text)) {
            if (trim(line).empty()) {
                if (!fields.empty() && !fields.back().name.empty())
                    fields.push_back({});
                continue;
            }
            if ((line[0] == ' ' || line[0] == '\t') && !fields.empty() && !fields.back().name.empty()) {
                fields.back().value += ' ';
                fields.back().value += trim(line);
                continue;
            }
            auto colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0 || colon > 40)
                continue;
            std::string name = to_lower(trim(line.substr(0, colon)));
            if (name.find(' ') != std::string::npos)
                continue;
            fields.push_back({ std::move(name), std::string(trim(line.substr(colon + 1))) });
            if (fields.size() > 20000)
                break; // far more than max_dsn_recipients groups need
        }
        return fields;
    }

} // namespace

std::string valid_status(std::string_view s)
{
    s = trim(s);
    // RFC 3463 section 2: class "." subject "." detail, subject and detail up
    // to three digits.
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
        return {};
    std::size_t i = 2;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 3) {
        ++i;
        ++digits;
    }
    if (digits == 0 || i >= s.size() || s[i] != '.')
        return {};
    ++i;
    digits = 0;
    std::size_t detail = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 3) {
        ++i;
        ++digits;
    }
    if (digits == 0)
        return {};
    (void)detail;
    return std::string(s.substr(0, i));
}

DsnReport parse_dsn(std::string_view body)
{
    DsnReport report;
    DsnRecipient current;
    bool in_recipient = false;
    auto finish = [&] {
        if (in_recipient && (!current.final_recipient.empty() || !current.original_recipient.empty())
            && report.recipients.size() < max_dsn_recipients)
            report.recipients.push_back(std::move(current));
        current = {};
        in_recipient = false;
    };
    for (const Field& f : read_fields(body)) {
        if (f.name.empty()) {
            finish();
            continue;
        }
        const std::string& n = f.name;
        if (n == "final-recipient" || n == "original-recipient") {
            std::string a = strip_address_type(f.value);
            std::string& slot = n == "final-recipient" ? current.final_recipient : current.original_recipient;
            // A repeated field without a blank line in between starts the next recipient.
            if (in_recipient && !slot.empty())
                finish();
            in_recipient = true;
            (n == "final-recipient" ? current.final_recipient : current.original_recipient) = a;
        } else if (n == "reporting-mta") {
            report.reporting_mta = strip_type(f.value);
        } else if (n == "arrival-date") {
            report.arrival_date = f.value;
        } else if (n == "action") {
            current.action = to_lower(trim(f.value.substr(0, f.value.find_first_of(" (;"))));
        } else if (n == "status") {
            current.status = valid_status(f.value);
        } else if (n == "remote-mta") {
            current.remote_mta = strip_type(f.value);
        } else if (n == "x-powermta-bouncecategory") {
            current.vendor_category = to_lower(trim(f.value));
        } else if (n == "diagnostic-code") {
            auto semi = f.value.find(';');
            if (semi != std::string::npos && semi < 20) {
                current.diagnostic_type = to_lower(trim(std::string_view(f.value).substr(0, semi)));
                for (char& c : current.diagnostic_type)
                    c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
                current.diagnostic = squeeze_spaces(std::string_view(f.value).substr(semi + 1));
            } else {
                current.diagnostic = squeeze_spaces(f.value);
            }
            current.reply_code = leading_reply_code(current.diagnostic);
        }
    }
    finish();
    return report;
}

bool looks_like_dsn_fields(std::string_view text)
{
    std::string lower = to_lower(text.substr(0, 16 * 1024));
    bool recipient = lower.find("final-recipient:") != std::string::npos
        || lower.find("original-recipient:") != std::string::npos;
    bool status
        = lower.find("\nstatus:") != std::string::npos || lower.find("\naction:") != std::string::npos;
    return recipient && status;
}

} // namespace sendsentry::mail
