// The one spelling of counter subjects, shared by every writer and reader of
// per-sender counters (see counters.hh).
#include "reputation/counters.hh"

#include "core/address.hh"

#include <algorithm>

namespace sendsentry::reputation {
namespace {

    // A subject longer than this is cut: domains are at most 253 octets and
    // a SASL login far shorter (policy/limit_key.hh uses the same bound).
    constexpr std::size_t max_subject_length = 512;

    std::string lower(std::string_view text)
    {
        std::string out(text.substr(0, max_subject_length));
        std::transform(out.begin(), out.end(), out.begin(),
            [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
        return out;
    }

} // namespace

std::string domain_subject(std::string_view domain)
{
    while (!domain.empty() && domain.back() == '.')
        domain.remove_suffix(1); // "example.com." is example.com
    if (domain.empty())
        return {};
    auto normal = normalize_domain(domain);
    return normal ? *normal : lower(domain);
}

std::string sasl_subject(std::string_view sasl_username)
{
    if (sasl_username.empty())
        return {};
    return "sasl:" + lower(sasl_username);
}

std::vector<std::string> counter_subjects(std::string_view sender_domain, std::string_view sasl_username)
{
    std::vector<std::string> out;
    for (std::string s : { domain_subject(sender_domain), sasl_subject(sasl_username) })
        if (!s.empty())
            out.push_back(std::move(s));
    return out;
}

} // namespace sendsentry::reputation
