// Incoming Authentication-Results fields that claim our authserv-id.
#include "auth/forged_results.hh"

#include "auth/auth_results.hh"

#include <cctype>

namespace sendsentry::auth {
namespace {

    bool is_authentication_results(std::string_view name)
    {
        constexpr std::string_view want = "authentication-results";
        if (name.size() != want.size())
            return false;
        for (std::size_t i = 0; i < name.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(name[i])) != want[i])
                return false;
        return true;
    }

} // namespace

ForgedResults::ForgedResults(std::string authserv_id)
    : authserv_id_(std::move(authserv_id))
{
}

void ForgedResults::field(std::string_view name, std::string_view value)
{
    if (!is_authentication_results(name))
        return;
    ++seen_;
    if (!claims_authserv_id(value, authserv_id_))
        return;
    if (forged_.size() == max_forged_results) {
        over_limit_ = true;
        return;
    }
    forged_.push_back(seen_);
}

std::vector<int> ForgedResults::deletion_order() const { return { forged_.rbegin(), forged_.rend() }; }

} // namespace sendsentry::auth
