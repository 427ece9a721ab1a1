// Which incoming Authentication-Results fields to delete: those that claim our
// authserv-id (RFC 8601 5), since only we may write under it. Fed every header
// field of a message as it streams by; used by sendsentry-milter, which
// deletes them by index (smfi_chgheader) before adding its own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sendsentry::auth {

// Forged fields remembered per message. Postfix's header_size_limit (100 KB)
// allows about 4,000 minimal fields; past this many the message is flagged
// rather than growing the list without bound.
inline constexpr std::size_t max_forged_results = 4096;

class ForgedResults {
public:
    explicit ForgedResults(std::string authserv_id);

    // One header field of the message, in order.
    void field(std::string_view name, std::string_view value);

    // 1-based indices among the message's Authentication-Results fields (the
    // hdridx of smfi_chgheader) that claim our authserv-id, highest first, so
    // that deleting one never renumbers the next.
    std::vector<int> deletion_order() const;

    // More forged fields than max_forged_results: some would stay.
    bool over_limit() const noexcept { return over_limit_; }

private:
    std::string authserv_id_;
    int seen_ = 0; // Authentication-Results fields so far
    std::vector<int> forged_; // ascending
    bool over_limit_ = false;
};

} // namespace sendsentry::auth
