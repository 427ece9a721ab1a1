// The SPF_dns_server_t that libspf2 evaluates through: answers come from our
// Resolver within the message's deadline, and the layer does what libspf2
// skips: the RFC 7208 4.6.4 limits (10 DNS-querying terms, 2 void lookups,
// 10 MX hosts, 10 PTR names) and an ABNF check of every record it selects.
// One layer per evaluation; used by spf.cc.
#pragma once

#include "auth/resolver.hh"
#include "auth/spf_handles.hh"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sendsentry::auth {

struct SpfLimits {
    int dns_terms = 10; // RFC 7208 4.6.4: include, a, mx, ptr, exists, redirect
    int void_lookups = 2; // RFC 7208 4.6.4 recommends two
    int mx_hosts = 10; // more MX names than this is a permerror
    int ptr_names = 10; // PTR names beyond this are ignored
};

// The SPF record of one domain, as RFC 7208 4.4 / 4.5 select it.
struct SpfRecordLookup {
    enum class Outcome { found, none, temperror, permerror } outcome = Outcome::none;
    std::string record; // found: the record text
    std::string reason; // otherwise: why
};

class SpfDnsLayer {
public:
    // CLIENT_V6: the client's address family, which decides how records are
    // handed to libspf2 (libspf2_form).
    SpfDnsLayer(Resolver& resolver, Deadline deadline, SpfLimits limits, bool client_v6);
    SpfDnsLayer(const SpfDnsLayer&) = delete;
    SpfDnsLayer& operator=(const SpfDnsLayer&) = delete;

    // For SPF_server_new_dns; stays owned by this object.
    SPF_dns_server_t* get() noexcept { return &layer_; }

    // The request being evaluated and the receiver name, for the macros of
    // explanation strings (which this layer expands, see get_exp).
    void attach(SPF_request_t* request, std::string receiver);

    // Fetches, selects and syntax-checks the SPF record of DOMAIN (the top
    // level; include and redirect come through the get_spf hook).
    SpfRecordLookup fetch_record(std::string_view domain);

    // Set when our layer found what makes the whole evaluation a permerror
    // (a limit, a bad included record) and stopped libspf2 with a DNS error.
    const std::optional<std::string>& permerror() const noexcept { return permerror_; }
    // Why libspf2 saw a DNS error, when it was a real one (for temperror).
    const std::string& dns_error() const noexcept { return dns_error_; }

    int dns_terms() const noexcept { return dns_terms_; }
    int void_lookups() const noexcept { return void_lookups_; }

private:
    static SPF_dns_rr_t* lookup_hook(
        SPF_dns_server_t* layer, const char* domain, ns_type type, int should_cache) noexcept;
    static SPF_errcode_t get_spf_hook(SPF_server_t* server, SPF_request_t* request, SPF_response_t* response,
        SPF_record_t** recordp) noexcept;
    static SPF_errcode_t get_exp_hook(
        SPF_server_t* server, const char* domain, char** bufp, size_t* buflenp) noexcept;

    SPF_dns_rr_t* lookup(const char* domain, ns_type type);
    SPF_errcode_t get_spf(
        SPF_server_t* server, SPF_request_t* request, SPF_response_t* response, SPF_record_t** recordp);
    SPF_errcode_t get_exp(const char* domain, char** bufp, size_t* buflenp);
    std::string validated_client_name(std::string_view domain);
    SPF_dns_rr_t* to_rr(const char* domain, ns_type type, const DnsAnswer& answer, std::size_t max_records);
    bool count_term(std::string_view what);
    bool count_void(std::string_view name);
    void stop_with_permerror(std::string reason);

    SPF_dns_server_t layer_ {};
    Resolver& resolver_;
    Deadline deadline_;
    SpfLimits limits_;
    bool client_v6_;
    SPF_request_t* request_ = nullptr;
    std::string receiver_;
    int dns_terms_ = 0;
    int void_lookups_ = 0;
    std::set<std::string> pending_hosts_; // MX / PTR names whose address lookups are part of one term
    std::set<std::string> any_address_hosts_; // MX names of an "mx/0" term
    std::optional<std::string> permerror_;
    std::string dns_error_;
};

} // namespace sendsentry::auth
