// The bounce decision: complaint (ARF), standard DSN, unsubscribe request,
// auto-reply, vendor text, in that order; then one classification per
// failed recipient.
#include "mail/bounce_parser.hh"

#include "mail/arf.hh"
#include "mail/auto_reply.hh"
#include "mail/bounce_rules.hh"
#include "mail/dsn.hh"
#include "mail/html_text.hh"
#include "mail/ses_notification.hh"
#include "mail/smtp_reply.hh"
#include "mail/text_bounce.hh"
#include "mail/text_util.hh"
#include "mail/unsubscribe.hh"
#include "mail/vendor_rules.hh"

#include <algorithm>

namespace sendsentry::mail {
namespace {

    // Diagnostic text kept per recipient (logs, JSON, the events table).
    constexpr std::size_t max_diagnostic = 1000;

    bool is_returned_message(const MimePart& p)
    {
        return p.type == "message/rfc822" || p.type == "message/global" || p.type == "text/rfc822-headers"
            || p.type == "message/rfc822-headers" || p.type == "message/global-headers";
    }

    bool is_status_part(const MimePart& p)
    {
        return p.type == "message/delivery-status" || p.type == "message/global-delivery-status";
    }

    // The human-readable text of the notice: text parts before the returned
    // message, cut where an inline copy of the message begins.
    std::string notice_text(const MimeMessage& m)
    {
        std::string text;
        for (const MimePart& p : m.parts) {
            if (is_returned_message(p))
                break;
            if (is_status_part(p))
                continue;
            if (p.type == "text/html") {
                if (text.empty())
                    text += html_to_text(p.body);
                continue;
            }
            if (p.type.starts_with("text/") || p.type == "message/partial") {
                text += strip_returned_message(p.body);
                text += '\n';
            }
            if (text.size() > 256 * 1024)
                break;
        }
        return text;
    }

    const MimePart* returned_message(const MimeMessage& m)
    {
        for (const MimePart& p : m.parts)
            if (is_returned_message(p))
                return &p;
        return nullptr;
    }

    std::string domain_of(std::string_view address)
    {
        auto at = address.rfind('@');
        if (at == std::string_view::npos)
            return {};
        std::string d = to_lower(trim(address.substr(at + 1)));
        while (!d.empty() && (d.back() == '>' || d.back() == '.'))
            d.pop_back();
        return d;
    }

    // The original message's header: from the returned message part, or the
    // inline copy after the separator line in a plain-text bounce.
    HeaderList original_headers(const MimeMessage& m)
    {
        HeaderList h;
        if (const MimePart* p = returned_message(m)) {
            parse_header_block(p->body, h, 200);
            return h;
        }
        for (const MimePart& p : m.parts) {
            if (!p.type.starts_with("text/plain"))
                continue;
            std::string_view before = strip_returned_message(p.body);
            if (before.size() == p.body.size())
                continue;
            std::string_view rest = std::string_view(p.body).substr(before.size());
            // Skip the separator line itself and blank lines.
            auto nl = rest.find('\n');
            rest = nl == std::string_view::npos ? std::string_view {} : rest.substr(nl + 1);
            while (!rest.empty() && rest.front() == '\n')
                rest.remove_prefix(1);
            parse_header_block(rest, h, 200);
            return h;
        }
        return h;
    }

    // Issue 6: the return path (a bounce subdomain or VERP tag) first, then
    // the returned original header, then the notice itself.
    std::string sender_domain(const MimeMessage& m, const HeaderList& original, const Envelope& env)
    {
        if (!env.token_sender_domain.empty())
            return env.token_sender_domain;
        // A forged token must not attribute the bounce through its domain.
        std::string rcpt = env.token_refused ? std::string() : normalize_recipient(env.recipient);
        std::string rdomain = domain_of(rcpt);
        // VERP (bounce+user=example.com@bounces.example.net) names the domain.
        std::string_view local = std::string_view(rcpt).substr(0, rcpt.find('@'));
        auto eq = local.rfind('=');
        if (eq != std::string_view::npos && local.substr(eq + 1).find('.') != std::string_view::npos)
            return to_lower(local.substr(eq + 1));
        for (std::string_view prefix : { "bounce.", "bounces.", "bnc.", "return.", "mailer." })
            if (rdomain.starts_with(prefix) && rdomain.find('.', prefix.size()) != std::string::npos)
                return rdomain.substr(prefix.size());
        for (std::string_view name : { "From", "Return-Path", "Sender", "Message-ID" }) {
            std::string d = domain_of(find_address(original.get(name)));
            if (name == "Message-ID" && d.empty()) {
                std::string_view id = original.get(name);
                auto at = id.rfind('@');
                if (at != std::string_view::npos)
                    d = to_lower(trim(id.substr(at + 1, id.find('>', at) - at - 1)));
            }
            if (!d.empty())
                return d;
        }
        if (!rdomain.empty() || env.token_refused)
            return rdomain;
        return domain_of(find_address(m.headers.get("To")));
    }

    bool generic_status(std::string_view code)
    {
        // x.0.0 says nothing; x.4.7 (expired) wraps the real last error.
        return code.ends_with(".0.0") || (code.size() > 1 && code.substr(1) == ".4.7");
    }

    // The most specific code in TEXT: the last one that is not generic, else
    // the first one.
    std::string best_code_in(std::string_view text)
    {
        auto codes = find_status_codes(text);
        for (auto it = codes.rbegin(); it != codes.rend(); ++it)
            if (!generic_status(*it) && !it->starts_with("2."))
                return *it;
        for (const std::string& c : codes)
            if (!c.starts_with("2."))
                return c;
        return {};
    }

    bool says_temporary(std::string_view text)
    {
        std::string t = to_lower(text.substr(0, 16 * 1024));
        for (std::string_view w : { "temporary", "temporarily", "will be retried", "will retry",
                 "still trying", "delayed", "has not yet been delivered", "not yet been delivered" })
            if (t.find(w) != std::string::npos)
                return true;
        return false;
    }

    // Status: the receiver's own code in the diagnostic is more specific than
    // the reporting MTA's Status field (Sendmail reports 4.4.7 or 5.1.1 for
    // a "550 5.7.1" refusal); without any code, "X.0.0" (RFC 3463: other or
    // undefined) with the class the bounce implies.
    // pick_status appends this to a made-up code; finish_failure strips it.
    constexpr std::string_view guessed_marker = "?";

    std::string pick_status(const Failure& f, std::string_view context, std::string_view notice, bool single)
    {
        auto fits = [&](const std::string& code) {
            return !code.empty() && (f.status.empty() || generic_status(f.status) || code[0] == f.status[0]);
        };
        std::string in_diag = best_code_in(f.diagnostic);
        if (fits(in_diag))
            return in_diag;
        if (!f.status.empty() && !generic_status(f.status))
            return f.status;
        std::string s = best_code_in(context);
        if (s.empty() && single)
            s = best_code_in(notice);
        if (fits(s))
            return s;
        if (!f.status.empty())
            return f.status;
        char cls = '5';
        if (f.reply_code.size() == 3 && (f.reply_code[0] == '4' || f.reply_code[0] == '5'))
            cls = f.reply_code[0];
        else if (f.action == "delayed" || says_temporary(context.empty() ? notice : context))
            cls = '4';
        return std::string(1, cls) + ".0.0" + std::string(guessed_marker);
    }

    // Fills the derived fields of F from its diagnostic and context text,
    // then classifies it.
    void finish_failure(
        Failure& f, std::string_view context, const std::string& notice, std::string_view type, bool single)
    {
        std::string_view diag_text = f.diagnostic.empty() ? context : std::string_view(f.diagnostic);
        if (f.reply_code.empty()) {
            f.reply_code = find_reply_code(diag_text);
            if (f.reply_code.empty() && !context.empty())
                f.reply_code = find_reply_code(context);
        }
        f.status = pick_status(f, context, notice, single);
        if (f.status.ends_with(guessed_marker)) {
            f.status.resize(f.status.size() - guessed_marker.size());
            f.status_guessed = true;
        }
        if (f.command.empty())
            f.command = find_command(f.diagnostic);
        if (f.command.empty() && !context.empty())
            f.command = find_command(context);
        if (f.command.empty() && single)
            f.command = find_command(notice);
        if (f.remote_mta.empty())
            f.remote_mta = find_remote_host(context.empty() ? diag_text : context);
        if (f.reason.empty()) {
            ClassifyInput in;
            in.status = f.status;
            in.reply_code = f.reply_code;
            in.action = f.action;
            in.command = f.command;
            in.remote_mta = f.remote_mta;
            in.diagnostic_type = type;
            in.recipient = f.recipient;
            in.vendor_category = f.vendor_category;
            if (single)
                in.notice = notice;
            // The receiver's own words first; the notice's text around them
            // only when those say nothing (it often quotes other errors).
            std::string text = f.diagnostic;
            if (reason_from_text(text).empty() && !context.empty())
                text = std::string(context);
            if (reason_from_text(text).empty() && single && !notice.empty())
                text = f.diagnostic + "\n" + std::string(context) + "\n" + notice;
            in.diagnostic = text;
            std::string reason = vendor_reason(in, notice);
            f.reason = reason.empty() ? classify(in) : reason;
        }
        f.hard = is_hard(f.reason, f.status, f.reply_code, f.status_guessed);
        std::string d = squeeze_spaces(f.diagnostic.empty() ? context : std::string_view(f.diagnostic));
        f.diagnostic = printable_utf8(d, max_diagnostic);
        f.recipient = printable_utf8(f.recipient, 320);
        f.remote_mta = printable_utf8(f.remote_mta, 255);
    }

    bool is_failure_action(std::string_view action, std::string_view status)
    {
        if (action == "delivered" || action == "relayed" || action == "expanded")
            return false;
        if (status.starts_with("2."))
            return false;
        return true;
    }

    bool read_feedback_report(const MimeMessage& m, BounceReport& report)
    {
        auto fb = read_feedback(m);
        if (!fb)
            return false;
        report.kind = ReportKind::feedback;
        report.why = "arf";
        if (!fb->original_mail_from.empty() && report.sender_domain.empty())
            report.sender_domain = domain_of(fb->original_mail_from);
        std::vector<std::string> recipients = fb->recipients;
        if (recipients.empty())
            recipients.emplace_back(); // redacted: the complaint still counts for the domain
        for (std::string& r : recipients) {
            Failure f;
            f.recipient = printable_utf8(r, 320);
            f.reason = "feedback";
            f.feedback_type = printable_utf8(fb->feedback_type, 64);
            report.failures.push_back(std::move(f));
        }
        return true;
    }

    bool read_ses(const MimeMessage& m, BounceReport& report)
    {
        auto ses = read_ses_notification(m);
        if (!ses)
            return false;
        report.why = "ses";
        for (SesRecipient& r : ses->recipients) {
            Failure f;
            f.recipient = normalize_recipient(r.address);
            f.status = valid_status(r.status);
            f.diagnostic = r.diagnostic;
            f.action = r.action;
            if (ses->type == "complaint") {
                f.reason = "feedback";
                f.feedback_type = r.feedback_type.empty() ? "abuse" : r.feedback_type;
                f.recipient = printable_utf8(f.recipient, 320);
                report.kind = ReportKind::feedback;
                report.failures.push_back(std::move(f));
                continue;
            }
            if (ses->type != "bounce" || !is_failure_action(f.action, f.status))
                continue;
            f.reply_code = find_reply_code(f.diagnostic);
            f.reason = ses_reason(ses->bounce_type, ses->bounce_subtype);
            finish_failure(f, {}, {}, "SMTP", ses->recipients.size() == 1);
            report.kind = ReportKind::bounce;
            report.failures.push_back(std::move(f));
        }
        return true;
    }

    bool read_dsn(const MimeMessage& m, const std::string& notice, BounceReport& report)
    {
        std::vector<DsnRecipient> recipients;
        bool had_status_part = false;
        for (const MimePart& p : m.parts)
            if (is_status_part(p)) {
                had_status_part = true;
                DsnReport r = parse_dsn(p.body);
                for (DsnRecipient& x : r.recipients)
                    recipients.push_back(std::move(x));
            }
        if (recipients.empty() && !had_status_part && looks_like_dsn_fields(notice)) {
            DsnReport r = parse_dsn(notice);
            recipients = std::move(r.recipients);
        }
        if (recipients.empty())
            return false;
        report.why = "dsn";
        std::vector<TextFailure> blocks = read_text_bounce(notice, {});
        std::size_t failed = 0;
        for (const DsnRecipient& r : recipients)
            failed += is_failure_action(r.action, r.status) ? 1 : 0;
        for (const DsnRecipient& r : recipients) {
            if (!is_failure_action(r.action, r.status))
                continue;
            Failure f;
            f.recipient = r.final_recipient.empty() ? r.original_recipient : r.final_recipient;
            f.status = r.status;
            f.reply_code = r.reply_code;
            f.diagnostic = r.diagnostic;
            f.remote_mta = r.remote_mta;
            f.action = r.action;
            f.vendor_category = r.vendor_category;
            std::string context;
            for (const TextFailure& b : blocks)
                if (iequals(b.recipient, f.recipient) || iequals(b.recipient, r.original_recipient))
                    context = b.diagnostic;
            finish_failure(f, context, notice, r.diagnostic_type, failed == 1);
            if (is_not_failure(f.reason))
                continue;
            bool dup = std::any_of(report.failures.begin(), report.failures.end(),
                [&](const Failure& x) { return iequals(x.recipient, f.recipient); });
            if (!dup)
                report.failures.push_back(std::move(f));
        }
        report.kind = report.failures.empty() ? ReportKind::none : ReportKind::bounce;
        return true;
    }

    void read_vendor_text(const MimeMessage& m, const std::string& notice, const HeaderList& original,
        const Envelope& env, BounceReport& report)
    {
        std::vector<std::string> ignore;
        auto add_ignore = [&](std::string_view header_value) {
            for (std::string& a : find_addresses(header_value, 8))
                ignore.push_back(normalize_recipient(a));
        };
        add_ignore(m.headers.get("From"));
        add_ignore(m.headers.get("To"));
        add_ignore(m.headers.get("Reply-To"));
        add_ignore(original.get("From"));
        add_ignore(original.get("Return-Path"));
        if (!env.recipient.empty())
            ignore.push_back(normalize_recipient(env.recipient));

        std::vector<TextFailure> found;
        // Exim names them in a header (X-Failed-Recipients).
        for (std::string& a : find_addresses(m.headers.get("X-Failed-Recipients"), 100))
            found.push_back({ normalize_recipient(a), {} });
        std::vector<TextFailure> blocks = read_text_bounce(notice, ignore);
        if (!found.empty()) {
            // With the header to go by, the bounce's own addresses in the
            // text ("Hello user@example.com") are not recipients.
            std::erase_if(blocks, [&](const TextFailure& b) {
                return std::any_of(ignore.begin(), ignore.end(),
                    [&](const std::string& i) { return iequals(i, b.recipient); });
            });
        }
        if (found.empty() || !blocks.empty()) { // the text beats a header relays may copy
            found = blocks;
        } else {
            for (TextFailure& f : found)
                for (const TextFailure& b : blocks)
                    if (iequals(b.recipient, f.recipient))
                        f.diagnostic = b.diagnostic;
        }
        if (found.empty()) {
            // Some gateways only say "your message could not be delivered";
            // the returned message's To is then the recipient.
            std::string to = find_address(original.get("To"));
            if (!to.empty())
                found.push_back({ normalize_recipient(to), {} });
        }
        report.why = "text";
        if (found.empty()) {
            report.kind = ReportKind::unknown;
            return;
        }
        for (TextFailure& t : found) {
            Failure f;
            f.recipient = t.recipient;
            std::string context = t.diagnostic.empty() ? notice : t.diagnostic;
            finish_failure(f, context, notice, {}, found.size() == 1);
            f.diagnostic = printable_utf8(
                squeeze_spaces(t.diagnostic.empty() ? notice : t.diagnostic), max_diagnostic);
            if (is_not_failure(f.reason))
                continue;
            report.failures.push_back(std::move(f));
        }
        report.kind = report.failures.empty() ? ReportKind::none : ReportKind::bounce;
    }

} // namespace

const char* to_string(ReportKind kind) noexcept
{
    switch (kind) {
    case ReportKind::none:
        return "none";
    case ReportKind::bounce:
        return "bounce";
    case ReportKind::feedback:
        return "feedback";
    case ReportKind::unknown:
        return "unknown";
    }
    return "?";
}

BounceReport parse_bounce(std::string_view raw, const Envelope& envelope, const MimeLimits& limits)
{
    BounceReport report;
    MimeMessage m = parse_mime(raw, limits);
    HeaderList original = original_headers(m);
    report.sender_domain = sender_domain(m, original, envelope);
    report.original_message_id = std::string(trim(original.get("Message-ID")));

    if (read_feedback_report(m, report))
        return report;
    if (read_ses(m, report))
        return report;
    std::string notice = notice_text(m);
    if (read_dsn(m, notice, report))
        return report;
    if (auto unsub = read_unsubscribe(m.headers, envelope.recipient)) {
        report.kind = ReportKind::feedback;
        report.why = "unsubscribe";
        Failure f;
        f.recipient = printable_utf8(unsub->address, 320);
        f.reason = "feedback";
        f.feedback_type = "opt-out";
        report.failures.push_back(std::move(f));
        return report;
    }
    bool bounce_like = m.headers.has("X-Failed-Recipients")
        || looks_like_bounce(m.headers.get("From"), m.headers.get("Subject"), notice);
    if (!bounce_like && is_auto_reply(m.headers)) {
        report.why = "auto-reply";
        return report;
    }
    if (!bounce_like) {
        report.why = "not-a-bounce";
        return report;
    }
    read_vendor_text(m, notice, original, envelope, report);
    return report;
}

} // namespace sendsentry::mail
