// Which header fields a signature covers (RFC 6376 5.4): the configured list,
// From always, and the oversigned fields (listed once more than present, so a
// field added later breaks the signature). Turns the lists into the arrays
// libopendkim's DKIM_OPTS_SIGNHDRS / DKIM_OPTS_OVERSIGNHDRS take.
#pragma once

#include "core/result.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::dkim {

// Built-in defaults (also the config defaults): what receivers and DMARC look at.
extern const std::vector<std::string> default_sign_headers;
extern const std::vector<std::string> default_oversign_headers;

// More names than this is a configuration mistake, not a policy.
inline constexpr std::size_t max_header_names = 64;

class HeaderPolicy {
public:
    // Validates names (RFC 5322 field-name: printable ASCII except ':'),
    // lower-cases them, drops duplicates, adds "from" when missing; an
    // oversigned name is also signed.
    [[nodiscard]] static Result<HeaderPolicy> make(
        const std::vector<std::string>& sign, const std::vector<std::string>& oversign);

    const std::vector<std::string>& sign() const noexcept { return sign_; }
    const std::vector<std::string>& oversign() const noexcept { return oversign_; }

    bool signs(std::string_view name) const noexcept;
    bool oversigns(std::string_view name) const noexcept;

    // The h= list a signature over a message with these header field names
    // (in message order) should carry, as a multiset of lower-case names:
    // each signed name once per occurrence, oversigned names once more.
    std::vector<std::string> expected_h(const std::vector<std::string>& present) const;

    // NULL-terminated arrays for dkim_options(); valid while this lives.
    const char** sign_array() const noexcept { return const_cast<const char**>(sign_ptrs_.data()); }
    const char** oversign_array() const noexcept { return const_cast<const char**>(oversign_ptrs_.data()); }

    // Copies and moves rebuild the pointer arrays (short names live inside
    // the strings themselves, so moved pointers would dangle).
    HeaderPolicy(const HeaderPolicy& other) { *this = other; }
    HeaderPolicy& operator=(const HeaderPolicy& other);
    HeaderPolicy(HeaderPolicy&& other) { *this = other; }
    HeaderPolicy& operator=(HeaderPolicy&& other) { return *this = other; }

private:
    HeaderPolicy() = default;
    void rebuild_arrays();

    std::vector<std::string> sign_;
    std::vector<std::string> oversign_;
    std::vector<const char*> sign_ptrs_;
    std::vector<const char*> oversign_ptrs_;
};

} // namespace sendsentry::dkim
