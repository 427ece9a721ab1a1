// libopendkim calls: library setup, per-key handles, header/body feeding.
#include "dkim/signer.hh"

#include "core/log.hh"

#include "dkim/opendkim.hh"
#include <cstring>

namespace sendsentry::dkim {
namespace {

    constexpr std::string_view signature_field = "DKIM-Signature: ";

    std::string status_text(int status) { return dkim_getresultstr(static_cast<DKIM_STAT>(status)); }

    // libopendkim folds with CRLF; a milter inserts header values with LF
    // line ends (Postfix and sendmail add the CR on the wire).
    std::string without_cr(const unsigned char* p, std::size_t n)
    {
        std::string out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            if (p[i] != '\r')
                out += static_cast<char>(p[i]);
        return out;
    }

} // namespace

Result<Canonicalization> Canonicalization::parse(std::string_view text)
{
    auto slash = text.find('/');
    std::string_view h = text.substr(0, slash);
    std::string_view b
        = slash == std::string_view::npos ? "simple" : text.substr(slash + 1); // RFC 6376 3.5 c=
    auto word = [](std::string_view w, bool& relaxed) {
        if (w == "relaxed")
            relaxed = true;
        else if (w == "simple")
            relaxed = false;
        else
            return false;
        return true;
    };
    Canonicalization c;
    if (!word(h, c.relaxed_header) || !word(b, c.relaxed_body))
        return make_error(ErrorKind::invalid, "canonicalization must be simple or relaxed, as header/body");
    return c;
}

Result<std::shared_ptr<const DkimLibrary>> DkimLibrary::create(HeaderPolicy headers, Canonicalization canon)
{
    ::dkim_lib* lib = dkim_init(&MessageArena::allocate, &MessageArena::release);
    if (!lib)
        return make_error(ErrorKind::internal, "dkim_init failed");
    std::shared_ptr<const DkimLibrary> owner(new DkimLibrary(lib, std::move(headers), canon));
    // Pointers into owner->headers_, which lives as long as the library.
    DKIM_STAT s
        = dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, owner->headers_.sign_array(), sizeof(char**));
    if (s == DKIM_STAT_OK)
        s = dkim_options(
            lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, owner->headers_.oversign_array(), sizeof(char**));
    if (s != DKIM_STAT_OK)
        return make_error(ErrorKind::internal, "dkim_options: " + status_text(s));
    return owner;
}

DkimLibrary::~DkimLibrary() { dkim_close(lib_); }

DkimHandle::~DkimHandle()
{
    if (!d_)
        return;
    DKIM_STAT s = dkim_free(d_);
    if (s != DKIM_STAT_OK)
        log::Logger("dkim").warning("dkim_free failed", { { "status", status_text(s) } });
}

Result<std::unique_ptr<MessageSigner>> MessageSigner::start(
    std::shared_ptr<const DkimLibrary> lib, std::vector<SignatureRequest> requests, std::string_view id)
{
    auto signer = std::make_unique<MessageSigner>();
    signer->lib_ = std::move(lib);
    signer->id_ = std::string(id.empty() ? "unknown" : id);
    signer->requests_ = std::move(requests);
    const Canonicalization& canon = signer->lib_->canonicalization();
    for (const SignatureRequest& r : signer->requests_) {
        DKIM_STAT status = DKIM_STAT_OK;
        ::dkim* d
            = dkim_sign(signer->lib_->get(), reinterpret_cast<const unsigned char*>(signer->id_.c_str()),
                &signer->arena_, const_cast<unsigned char*>(r.key->libopendkim_key()),
                reinterpret_cast<const unsigned char*>(r.selector.c_str()),
                reinterpret_cast<const unsigned char*>(r.domain.c_str()),
                canon.relaxed_header ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE,
                canon.relaxed_body ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE,
                r.key->algorithm() == KeyAlgorithm::ed25519_sha256 ? DKIM_SIGN_ED25519SHA256
                                                                   : DKIM_SIGN_RSASHA256,
                -1 /* whole body: no l= (RFC 6376 8.2) */, &status);
        if (!d)
            return make_error(ErrorKind::internal,
                "dkim_sign d=" + r.domain + " s=" + r.selector + ": " + status_text(status));
        signer->handles_.emplace_back(d);
        if (!canon.relaxed_header) {
            // libopendkim hashes its signature field folded as it is with an
            // empty b=, then folds it again once b= is filled in; the line
            // breaks before b= can move, which relaxed canonicalization
            // ignores and simple does not (seen with Ed25519 here, and
            // dkimpy failing). Unfolded, both forms agree; the field stays
            // under RFC 5322's 998-byte line limit for keys up to 4096 bits.
            status = dkim_set_margin(d, 0);
            if (status != DKIM_STAT_OK)
                return signer->fail(signer->handles_.size() - 1, "dkim_set_margin", status).error();
        }
        if (!r.identity.empty()) {
            status = dkim_set_signer(d, reinterpret_cast<const unsigned char*>(r.identity.c_str()));
            if (status != DKIM_STAT_OK)
                return signer->fail(signer->handles_.size() - 1, "dkim_set_signer", status).error();
        }
    }
    return signer;
}

Status MessageSigner::fail(std::size_t index, const char* step, int status) const
{
    const SignatureRequest& r = requests_[index];
    const char* detail = handles_.size() > index ? dkim_geterror(handles_[index].get()) : nullptr;
    return make_error(ErrorKind::internal,
        std::string(step) + " d=" + r.domain + " s=" + r.selector + ": " + status_text(status)
            + (detail && *detail ? std::string(" (") + detail + ")" : std::string()));
}

Status MessageSigner::header(std::string_view name, std::string_view value, bool leading_space_kept)
{
    line_.assign(name);
    line_ += ':';
    if (!leading_space_kept)
        line_ += ' ';
    line_ += to_crlf(value);
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        DKIM_STAT s
            = dkim_header(handles_[i].get(), reinterpret_cast<unsigned char*>(line_.data()), line_.size());
        if (s != DKIM_STAT_OK)
            return fail(i, "dkim_header", s);
    }
    return {};
}

Status MessageSigner::end_of_headers()
{
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        DKIM_STAT s = dkim_eoh(handles_[i].get());
        if (s != DKIM_STAT_OK)
            return fail(i, "dkim_eoh", s);
    }
    return {};
}

Status MessageSigner::feed_body(std::string_view bytes)
{
    if (bytes.empty())
        return {};
    body_bytes_ += bytes.size();
    if (bytes.size() >= 2) {
        last_two_[0] = bytes[bytes.size() - 2];
        last_two_[1] = bytes[bytes.size() - 1];
    } else {
        last_two_[0] = last_two_[1];
        last_two_[1] = bytes[0];
    }
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        DKIM_STAT s = dkim_body(handles_[i].get(),
            reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data())), bytes.size());
        if (s != DKIM_STAT_OK)
            return fail(i, "dkim_body", s);
    }
    return {};
}

Status MessageSigner::body(std::string_view chunk)
{
    Status status;
    body_normalizer_.feed(chunk, [&](std::string_view piece) {
        if (status)
            status = feed_body(piece);
    });
    return status;
}

Result<std::vector<std::string>> MessageSigner::finish()
{
    Status status;
    body_normalizer_.finish([&](std::string_view piece) { status = feed_body(piece); });
    if (!status)
        return status.error();
    // RFC 6376 3.4.3/3.4.4: a non-empty body is hashed as ending in CRLF, as
    // SMTP will transmit it; libopendkim refuses a body that does not.
    if (body_bytes_ > 0 && !(last_two_[0] == '\r' && last_two_[1] == '\n'))
        if (auto s = feed_body("\r\n"); !s)
            return s.error();
    std::vector<std::string> out;
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        DKIM_STAT s = dkim_eom(handles_[i].get(), nullptr);
        if (s != DKIM_STAT_OK)
            return fail(i, "dkim_eom", s).error();
        unsigned char* text = nullptr;
        std::size_t len = 0;
        s = dkim_getsighdr_d(handles_[i].get(), signature_field.size(), &text, &len);
        if (s != DKIM_STAT_OK || !text)
            return fail(i, "dkim_getsighdr_d", s).error();
        out.push_back(without_cr(text, len));
    }
    return out;
}

} // namespace sendsentry::dkim
