// Organizational domains (RFC 7489 3.2) from the Public Suffix List through
// libpsl, with Debian's publicsuffix data: "mail.example.co.uk" belongs to
// "example.co.uk". Used by DMARC alignment.
#pragma once

#include "core/result.hh"

#include <libpsl.h>
#include <memory>
#include <string>
#include <string_view>

namespace sendsentry::auth {

class OrgDomains {
public:
    // PATH: a public_suffix_list.dat (or .dafsa) file; empty: libpsl's
    // newest of its built-in data and the distribution's file.
    [[nodiscard]] static Result<OrgDomains> load(const std::string& path = {});

    // The organizational domain of DOMAIN (lower-case), or DOMAIN itself when
    // it is a public suffix or unknown to the list.
    std::string organizational(std::string_view domain) const;

    // RFC 7489 3.1: relaxed alignment compares organizational domains,
    // strict compares the names exactly.
    bool aligned(std::string_view a, std::string_view b, bool strict) const;

private:
    struct Free {
        void operator()(psl_ctx_t* p) const noexcept { psl_free(p); }
    };
    explicit OrgDomains(psl_ctx_t* ctx)
        : ctx_(ctx)
    {
    }
    std::unique_ptr<psl_ctx_t, Free> ctx_;
};

} // namespace sendsentry::auth
