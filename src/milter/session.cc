// Per-connection and per-message milter logic, independent of libmilter.
#include "milter/session.hh"

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

} // namespace

Session::Session(std::uint64_t id, const EngineSlot& engines)
    : id_(id)
    , engines_(engines)
    , conn_log_("C" + std::to_string(id))
{
}

void Session::connect(std::string client_address, std::string daemon_name)
{
    client_.client_address = std::move(client_address);
    client_.daemon_name = std::move(daemon_name);
    conn_log_.debug("connect", { { "client", client_.client_address }, { "daemon", client_.daemon_name } });
}

void Session::mail_from(std::string auth_authen, std::string auth_type)
{
    message_.reset();
    client_.auth_authen = std::move(auth_authen);
    client_.auth_type = std::move(auth_type);
}

Session::Message& Session::message()
{
    if (!message_) {
        message_ = std::make_unique<Message>();
        ++messages_;
        message_->log = log::Logger(conn_log_.id() + "." + std::to_string(messages_));
    }
    return *message_;
}

void Session::header(std::string_view name, std::string_view value)
{
    Message& m = message();
    if (m.headers_over_limit)
        return;
    m.header_bytes += name.size() + value.size() + 3;
    if (m.headers.size() == max_header_fields || m.header_bytes > max_header_bytes) {
        m.headers_over_limit = true;
        m.headers.clear();
        return;
    }
    m.headers.emplace_back(name, value);
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
    m.engine = engines_.get();
    decide_and_start(m);
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
    if (m.headers_over_limit) {
        m.state = State::passing;
        m.reason = "headers over the limit (" + std::to_string(max_header_fields) + " fields or "
            + std::to_string(max_header_bytes) + " bytes)";
        return;
    }
    std::vector<std::string_view> from;
    for (const auto& [name, value] : m.headers)
        if (iequals(name, "From"))
            from.push_back(value);
    dkim::AuthorResult author = dkim::find_author(from);
    if (author.problem != dkim::FromProblem::none) {
        m.state = State::from_problem;
        m.reason = std::string(dkim::to_string(author.problem))
            + (author.detail.empty() ? "" : ": " + author.detail);
        return;
    }
    m.reason = d.reason;
    start_signer(m, author.address);
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
    if (m.state == State::failed) {
        auto engine = m.engine ? m.engine : engines_.get();
        apply_failure(out, engine->on_error, "signing failed");
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
        m.log.info("signed",
            { { "d", requests[i].domain }, { "s", requests[i].selector },
                { "a", dkim::to_string(requests[i].key->algorithm()) }, { "reason", m.reason } });
    }
}

void Session::apply_failure(EomActions& out, FailAction action, const std::string& reject_text)
{
    if (action == FailAction::accept)
        return;
    bool reject = action == FailAction::reject;
    out.verdict = reject ? EomActions::Verdict::reject : EomActions::Verdict::tempfail;
    out.reply_code = reject ? "550" : "451";
    out.reply_status = reject ? "5.7.1" : "4.7.1";
    out.reply_text = reject ? reject_text : "temporary failure, try again later";
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
