// RFC 8601 Authentication-Results header for outbound mail: spf=, dkim= (what
// we signed) and dmarc= with their properties under our authserv-id; and the
// test for incoming copies that claim our authserv-id (RFC 8601 5), which the
// milter removes. Used by the outbound check.
#pragma once

#include "auth/dmarc.hh"
#include "auth/spf.hh"

#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::auth {

struct DkimSigned {
    std::string domain; // d=
    std::string selector; // s=
    std::string result = "pass"; // what we applied: pass (signed) or a failure word
};

struct AuthResultsInput {
    std::string authserv_id;
    SpfVerdict spf;
    std::string spf_ip; // the address judged (comment)
    std::string mail_from; // smtp.mailfrom (empty for <>: smtp.helo is used)
    std::string helo;
    std::vector<DkimSigned> dkim;
    std::optional<DmarcVerdict> dmarc; // absent when there was no usable From
    std::string dmarc_error; // why there was none (a comment)
};

// The field value (after "Authentication-Results:"), one resinfo per folded
// line; folds are LF + TAB, as libmilter header values take them (the MTA
// writes CRLF).
std::string build_authentication_results(const AuthResultsInput& in);

// Whether VALUE (an Authentication-Results field body) names AUTHSERV_ID as
// its authserv-id (case-insensitive, comments skipped).
bool claims_authserv_id(std::string_view value, std::string_view authserv_id);

} // namespace sendsentry::auth
