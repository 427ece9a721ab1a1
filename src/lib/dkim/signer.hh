// The signer around libopendkim: owners for DKIM_LIB* and DKIM*, and one
// MessageSigner per message holding one DKIM* per key (dual signing feeds
// the same headers and body to each). The milter drives it stage by stage;
// the body is hashed as it streams.
#pragma once

#include "core/result.hh"
#include "dkim/header_policy.hh"
#include "dkim/line_endings.hh"
#include "dkim/message_arena.hh"
#include "dkim/private_key.hh"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct dkim_lib;
struct dkim;

namespace sendsentry::dkim {

// "relaxed/relaxed" and friends.
struct Canonicalization {
    bool relaxed_header = true;
    bool relaxed_body = true;

    [[nodiscard]] static Result<Canonicalization> parse(std::string_view text);
};

// Owns the DKIM_LIB* (dkim_close) configured with the header policy. Shared
// by every message signed with one configuration; a message keeps the
// library alive until its handles are freed.
class DkimLibrary {
public:
    [[nodiscard]] static Result<std::shared_ptr<const DkimLibrary>> create(
        HeaderPolicy headers, Canonicalization canon);
    ~DkimLibrary();
    DkimLibrary(const DkimLibrary&) = delete;
    DkimLibrary& operator=(const DkimLibrary&) = delete;

    ::dkim_lib* get() const noexcept { return lib_; }
    const HeaderPolicy& headers() const noexcept { return headers_; }
    const Canonicalization& canonicalization() const noexcept { return canon_; }

private:
    DkimLibrary(::dkim_lib* lib, HeaderPolicy headers, Canonicalization canon)
        : lib_(lib)
        , headers_(std::move(headers))
        , canon_(canon)
    {
    }
    ::dkim_lib* lib_;
    HeaderPolicy headers_;
    Canonicalization canon_;
};

// Owns one DKIM* (dkim_free, whose failure is logged).
class DkimHandle {
public:
    explicit DkimHandle(::dkim* d) noexcept
        : d_(d)
    {
    }
    DkimHandle(DkimHandle&& o) noexcept
        : d_(std::exchange(o.d_, nullptr))
    {
    }
    DkimHandle& operator=(DkimHandle&&) = delete;
    DkimHandle(const DkimHandle&) = delete;
    ~DkimHandle();
    ::dkim* get() const noexcept { return d_; }

private:
    ::dkim* d_;
};

// One signature to make: d=, s=, optional i=, and the key.
struct SignatureRequest {
    std::string domain;
    std::string selector;
    std::string identity; // empty: no i= tag
    std::shared_ptr<const PrivateKey> key;
};

class MessageSigner {
public:
    // ID names the message in libopendkim's errors (the queue id).
    [[nodiscard]] static Result<std::unique_ptr<MessageSigner>> start(
        std::shared_ptr<const DkimLibrary> lib, std::vector<SignatureRequest> requests, std::string_view id);

    // One header field as the MTA gave it: NAME and VALUE, VALUE folded with
    // LF or CRLF; LEADING_SPACE_KEPT when VALUE still holds the whitespace
    // after the colon (milter SMFIP_HDR_LEADSPC), else one space is put back.
    [[nodiscard]] Status header(std::string_view name, std::string_view value, bool leading_space_kept);
    [[nodiscard]] Status end_of_headers();
    [[nodiscard]] Status body(std::string_view chunk);
    // The DKIM-Signature values in request order, folded with "\n\t" (the
    // milter's line ending for inserted headers), without the field name.
    [[nodiscard]] Result<std::vector<std::string>> finish();

    const std::vector<SignatureRequest>& requests() const noexcept { return requests_; }

    MessageSigner(const MessageSigner&) = delete;
    MessageSigner& operator=(const MessageSigner&) = delete;
    MessageSigner() = default;

private:
    Status feed_body(std::string_view bytes);
    Status fail(std::size_t index, const char* step, int status) const;

    std::shared_ptr<const DkimLibrary> lib_;
    // What libopendkim allocates for handles_; declared before them, so freed
    // after them. Its address is the closure libopendkim keeps (a
    // MessageSigner never moves).
    MessageArena arena_;
    std::string id_; // libopendkim keeps a pointer to it; must outlive handles_
    std::vector<SignatureRequest> requests_; // keys outlive handles_
    std::vector<DkimHandle> handles_;
    LineEndingNormalizer body_normalizer_;
    std::string line_; // reused header buffer
    std::uint64_t body_bytes_ = 0;
    char last_two_[2] = { 0, 0 };
};

} // namespace sendsentry::dkim
