// Per-connection and per-message milter logic, independent of libmilter.
#include "milter/session.hh"

#include "core/address.hh"

#include <ctime>

namespace sendsentry::milter {
namespace {

    bool iequals(std::string_view a, std::string_view b)
    {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i]))
                != std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    }

    // The envelope sender as the MTA gives it ("<a@b>", "<>"), without the
    // brackets and with the domain normalised; as written when unparsable.
    std::string envelope_address(std::string_view text)
    {
        if (auto a = parse_address(text, true))
            return a->str();
        if (text.size() >= 2 && text.front() == '<' && text.back() == '>')
            text = text.substr(1, text.size() - 2);
        return std::string(text);
    }

    // SMTP replies and header values are single lines of printable ASCII:
    // text that came from DNS (SPF explanations) may hold anything.
    std::string printable(std::string_view text)
    {
        std::string out(text);
        for (char& c : out)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
                c = '?';
        return out;
    }

    // Text for smfi_setreply: libmilter reads '%' as a format character (a
    // single one makes it drop the text) and refuses more than 980 octets.
    std::string reply_text(std::string_view text)
    {
        constexpr std::size_t max_reply_text = 900;
        std::string out;
        for (char c : printable(text)) {
            if (out.size() + 2 > max_reply_text)
                break;
            out += c;
            if (c == '%')
                out += '%';
        }
        return out;
    }

    int severity(EomActions::Verdict v)
    {
        return v == EomActions::Verdict::reject ? 2 : v == EomActions::Verdict::tempfail ? 1 : 0;
    }

} // namespace

Session::Session(std::uint64_t id, const EngineSlot& engines)
    : id_(id)
    , engines_(engines)
    , conn_log_("C" + std::to_string(id))
{
}

void Session::connect(std::string client_address, std::string daemon_name, std::string relay_helo)
{
    client_.client_address = std::move(client_address);
    client_.daemon_name = std::move(daemon_name);
    relay_helo_ = std::move(relay_helo);
    conn_log_.debug("connect", { { "client", client_.client_address }, { "daemon", client_.daemon_name } });
}

void Session::mail_from(std::string_view envelope_from, std::string auth_authen, std::string auth_type)
{
    message_.reset();
    client_.auth_authen = std::move(auth_authen);
    client_.auth_type = std::move(auth_type);
    message().mail_from = envelope_address(envelope_from);
}

Session::Message& Session::message()
{
    if (!message_) {
        message_ = std::make_unique<Message>();
        ++messages_;
        message_->log = log::Logger(conn_log_.id() + "." + std::to_string(messages_));
        message_->engine = engines_.get();
        if (message_->engine && message_->engine->checker)
            message_->forged.emplace(message_->engine->checker->settings().authserv_id);
    }
    return *message_;
}

void Session::header(std::string_view name, std::string_view value)
{
    Message& m = message();
    if (m.forged)
        m.forged->field(name, value); // every field: the index counts them all
    if (m.headers_over_limit)
        return;
    m.header_bytes += name.size() + value.size() + 3;
    if (m.headers.size() == max_header_fields || m.header_bytes > max_header_bytes) {
        m.headers_over_limit = true;
        m.headers.clear();
        m.from_fields.clear();
        return;
    }
    m.headers.emplace_back(name, value);
    if (iequals(name, "From"))
        m.from_fields.emplace_back(value);
}

void Session::end_of_headers(std::string_view queue_id)
{
    Message& m = message();
    if (!queue_id.empty()) {
        // The queue id is known from here on: record the pairing once.
        conn_log_.info("message", { { "queue_id", queue_id } });
        m.log = log::Logger(std::string(queue_id));
    }
    if (m.state != State::collecting)
        return; // a stage already failed
    if (!m.engine)
        m.engine = engines_.get();
    decide_and_start(m);
    plan_return_path(m, queue_id.empty() ? std::string_view(m.log.id()) : queue_id);
    if (m.state != State::signing)
        m.headers.clear(); // not needed any more
}

void Session::decide_and_start(Message& m)
{
    dkim::SignDecision d = m.engine->sign_policy.decide(client_);
    if (!d.sign) {
        m.state = State::passing;
        m.reason = d.reason;
        return;
    }
    m.outbound = true;
    if (m.headers_over_limit) {
        m.state = State::passing;
        m.reason = "headers over the limit (" + std::to_string(max_header_fields) + " fields or "
            + std::to_string(max_header_bytes) + " bytes)";
        return;
    }
    // The signing identity is the one author DMARC will judge (RFC 6376
    // 8.15, RFC 7489 6.6.1): the same parse for both.
    auto author = auth::parse_header_from(m.from_fields);
    if (!author) {
        m.state = State::from_problem;
        m.reason = author.error().message;
        return;
    }
    m.reason = d.reason;
    start_signer(m, Address(author->local_part, author->domain));
}

void Session::start_signer(Message& m, const Address& author)
{
    auto requests = m.engine->keyring->signatures_for(author);
    if (requests.empty()) {
        m.state = State::passing;
        m.reason = "no key for " + author.domain() + " (" + m.reason + ")";
        return;
    }
    auto signer = dkim::MessageSigner::start(m.engine->dkim, std::move(requests), m.log.id());
    if (!signer) {
        fail("end of headers", signer.error().message);
        return;
    }
    m.signer = std::move(*signer);
    m.state = State::signing;
    feed_headers(m);
}

void Session::feed_headers(Message& m)
{
    for (const auto& [name, value] : m.headers) {
        if (auto s = m.signer->header(name, value, leading_space_kept_); !s) {
            fail("header", s.error().message);
            return;
        }
    }
    m.headers.clear();
    if (auto s = m.signer->end_of_headers(); !s)
        fail("end of headers", s.error().message);
}

void Session::body(std::string_view chunk)
{
    Message& m = message();
    if (m.state != State::signing)
        return;
    if (auto s = m.signer->body(chunk); !s)
        fail("body", s.error().message);
}

EomActions Session::end_of_message()
{
    Message& m = message();
    EomActions out;
    switch (m.state) {
    case State::collecting: // no end-of-headers seen: nothing to sign
    case State::passing:
        m.log.info("not signed", { { "reason", m.reason.empty() ? "no headers" : m.reason } });
        break;
    case State::from_problem:
        m.log.info("not signed", { { "reason", m.reason }, { "rule", "RFC 6376 8.15" } });
        apply_failure(
            out, m.engine->on_from_problem, "message must have exactly one From address (RFC 5322 3.6.2)");
        break;
    case State::signing:
        finish_signing(m, out);
        break;
    case State::failed:
        break; // reported by fail(); the verdict was set below
    }
    remove_forged_results(m, out);
    if (m.state != State::failed)
        rewrite_return_path(m, out); // before the SPF check: it judges the new MAIL FROM
    if (m.state == State::failed) {
        auto engine = m.engine ? m.engine : engines_.get();
        apply_failure(out, engine->on_error, "signing failed");
    } else {
        check_authentication(m, out);
    }
    message_.reset();
    return out;
}

void Session::finish_signing(Message& m, EomActions& out)
{
    auto sigs = m.signer->finish();
    if (!sigs) {
        fail("end of message", sigs.error().message);
        return;
    }
    const auto& requests = m.signer->requests();
    for (std::size_t i = 0; i < sigs->size(); ++i) {
        out.insert_headers.emplace_back("DKIM-Signature", std::move((*sigs)[i]));
        m.signed_for.push_back({ requests[i].domain, requests[i].selector, "pass" });
        m.log.info("signed",
            { { "d", requests[i].domain }, { "s", requests[i].selector },
                { "a", dkim::to_string(requests[i].key->algorithm()) }, { "reason", m.reason } });
    }
}

// [return_path] rewrite: mail we sign whose envelope sender's domain we also
// sign for gets bounces+TOKEN@bounces.<domain>, so that its bounces come home
// attributed. The null sender (bounces, RFC 5321 4.5.5) is never rewritten.
void Session::plan_return_path(Message& m, std::string_view queue_id)
{
    if (m.state != State::signing || !m.engine->return_path_keys || m.mail_from.empty())
        return;
    auto sender = parse_address(m.mail_from);
    if (!sender || m.engine->keyring->signatures_for(*sender).empty())
        return;
    auto rp = mail::make_return_path(
        *m.engine->return_path_keys, m.engine->return_path, *sender, queue_id, std::time(nullptr));
    if (!rp) {
        m.log.warning("return path kept", { { "from", m.mail_from }, { "reason", rp.error().message } });
        return;
    }
    m.return_path = std::move(*rp);
    m.return_path_tag = mail::message_tag(queue_id);
}

void Session::rewrite_return_path(Message& m, EomActions& out)
{
    if (m.return_path.empty())
        return;
    out.change_from = m.return_path;
    m.log.info(
        "return path", { { "from", m.mail_from }, { "to", m.return_path }, { "msg", m.return_path_tag } });
}

const std::string& Session::sent_mail_from(const Message& m)
{
    return m.return_path.empty() ? m.mail_from : m.return_path;
}

// RFC 8601 5: an incoming field under our authserv-id is forged; delete it
// whether or not we check this message.
void Session::remove_forged_results(Message& m, EomActions& out)
{
    if (!m.forged)
        return;
    for (int index : m.forged->deletion_order())
        out.delete_headers.emplace_back("Authentication-Results", index);
    if (!out.delete_headers.empty())
        m.log.warning("forged Authentication-Results removed",
            { { "count", out.delete_headers.size() },
                { "authserv_id", m.engine->checker->settings().authserv_id } });
    if (m.forged->over_limit())
        m.log.warning("forged Authentication-Results over the limit; the rest stay",
            { { "limit", auth::max_forged_results } });
}

// SPF and DMARC as receivers will see them, with the domains just signed for:
// our header always, the configured action when the message would fail.
void Session::check_authentication(Message& m, EomActions& out)
{
    if (!m.engine || !m.engine->checker || !m.outbound)
        return; // off, or mail relayed in: not ours to judge
    if (m.headers_over_limit) {
        m.log.warning("auth-check skipped", { { "reason", "headers over the limit" } });
        return;
    }
    auth::OutboundVerdict v
        = m.engine->checker->check({ sent_mail_from(m), relay_helo_, m.from_fields, m.signed_for });
    v.log(m.log);
    std::vector<std::pair<std::string, std::string>> ours { { "Authentication-Results",
        v.authentication_results } };
    if (!v.warning_header.empty())
        ours.emplace_back("X-Sendsentry-Warning", printable(v.warning_header));
    out.insert_headers.insert(out.insert_headers.begin(), ours.begin(), ours.end());
    if (v.action != auth::Action::reject && v.action != auth::Action::tempfail)
        return;
    auto verdict
        = v.action == auth::Action::reject ? EomActions::Verdict::reject : EomActions::Verdict::tempfail;
    if (severity(verdict) <= severity(out.verdict))
        return; // a stricter verdict (the From action) stands
    out.verdict = verdict;
    out.reply_code = v.smtp_code;
    out.reply_status = v.smtp_xcode;
    out.reply_text = reply_text(v.reply_text);
}

void Session::apply_failure(EomActions& out, FailAction action, const std::string& reject_text)
{
    if (action == FailAction::accept)
        return;
    bool reject = action == FailAction::reject;
    out.verdict = reject ? EomActions::Verdict::reject : EomActions::Verdict::tempfail;
    out.reply_code = reject ? "550" : "451";
    out.reply_status = reject ? "5.7.1" : "4.7.1";
    out.reply_text = reply_text(reject ? reject_text : "temporary failure, try again later");
}

void Session::abort_message() { message_.reset(); }

void Session::fail(std::string_view stage, std::string_view what) noexcept
{
    try {
        Message& m = message();
        if (m.state == State::failed)
            return;
        m.state = State::failed;
        m.signer.reset();
        auto engine = m.engine ? m.engine : engines_.get();
        bool tempfail = engine && engine->on_error == FailAction::tempfail;
        m.log.error("not signed",
            { { "stage", stage }, { "error", what },
                { "action", tempfail ? "tempfail" : "accept unsigned" } });
    } catch (...) {
        conn_log_.crit("out of memory while failing a message");
    }
}

} // namespace sendsentry::milter
