// libspf2 DNS layer over our Resolver, with the RFC 7208 checks libspf2 skips.
#include "auth/spf_dns_layer.hh"

#include "auth/spf_macro.hh"
#include "auth/spf_record_syntax.hh"

#include <arpa/inet.h>
#include <cstdlib>
#include <ctime>

#include <cstring>
#include <netdb.h>
#include <new>

namespace sendsentry::auth {
namespace {

    std::string lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
        if (!out.empty() && out.back() == '.')
            out.pop_back();
        return out;
    }

    SPF_dns_stat_t herrno_of(DnsStatus status)
    {
        switch (status) {
        case DnsStatus::found:
            return NETDB_SUCCESS;
        case DnsStatus::nxdomain:
            return HOST_NOT_FOUND;
        case DnsStatus::nodata:
            return NO_DATA;
        case DnsStatus::temporary:
            break;
        }
        return TRY_AGAIN;
    }

} // namespace

SpfDnsLayer::SpfDnsLayer(Resolver& resolver, Deadline deadline, SpfLimits limits, bool client_v6)
    : resolver_(resolver)
    , deadline_(deadline)
    , limits_(limits)
    , client_v6_(client_v6)
{
    layer_.destroy = nullptr; // owned by this object, not by the SPF server
    layer_.lookup = &SpfDnsLayer::lookup_hook;
    layer_.get_spf = &SpfDnsLayer::get_spf_hook;
    layer_.get_exp = &SpfDnsLayer::get_exp_hook;
    layer_.add_cache = nullptr;
    layer_.layer_below = nullptr;
    layer_.name = "sendsentry";
    layer_.debug = 0;
    layer_.hook = this;
}

SPF_dns_rr_t* SpfDnsLayer::lookup_hook(
    SPF_dns_server_t* layer, const char* domain, ns_type type, int) noexcept
{
    auto* self = static_cast<SpfDnsLayer*>(layer->hook);
    try {
        return self->lookup(domain ? domain : "", type);
    } catch (...) {
        // No exception may cross into libspf2 (STYLE.md section 4): answer
        // "try again", which it turns into temperror.
        self->dns_error_ = "internal error in the DNS layer";
        return SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN);
    }
}

SPF_errcode_t SpfDnsLayer::get_spf_hook(
    SPF_server_t* server, SPF_request_t* request, SPF_response_t* response, SPF_record_t** recordp) noexcept
{
    auto* self = static_cast<SpfDnsLayer*>(server->resolver->hook);
    try {
        return self->get_spf(server, request, response, recordp);
    } catch (...) {
        self->dns_error_ = "internal error in the DNS layer";
        return SPF_E_DNS_ERROR;
    }
}

SPF_errcode_t SpfDnsLayer::get_exp_hook(
    SPF_server_t* server, const char* domain, char** bufp, size_t* buflenp) noexcept
{
    auto* self = static_cast<SpfDnsLayer*>(server->resolver->hook);
    try {
        return self->get_exp(domain ? domain : "", bufp, buflenp);
    } catch (...) {
        return SPF_E_INTERNAL_ERROR; // no explanation; the verdict stands
    }
}

void SpfDnsLayer::attach(SPF_request_t* request, std::string receiver)
{
    request_ = request;
    receiver_ = std::move(receiver);
}

std::string SpfDnsLayer::validated_client_name(std::string_view domain)
{
    // RFC 7208 7.3 / 5.5: names from the PTR record whose addresses include
    // the client; prefer the current domain, then its subdomains.
    char ip[INET6_ADDRSTRLEN] = "";
    std::string reverse;
    if (request_->client_ver == AF_INET6) {
        reverse = ipv6_nibbles(request_->ipv6.s6_addr);
        std::reverse(reverse.begin(), reverse.end());
        reverse += ".ip6.arpa";
    } else {
        const auto* b = reinterpret_cast<const unsigned char*>(&request_->ipv4.s_addr);
        reverse = std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "."
            + std::to_string(b[0]) + ".in-addr.arpa";
    }
    (void)ip;
    DnsAnswer ptr = resolver_.query(reverse, RrType::ptr, deadline_);
    std::string best;
    int best_rank = 0;
    int n = 0;
    for (const DnsRecord& r : ptr.records) {
        if (++n > limits_.ptr_names)
            break;
        bool v6 = request_->client_ver == AF_INET6;
        DnsAnswer addrs = resolver_.query(r.data, v6 ? RrType::aaaa : RrType::a, deadline_);
        bool matches = false;
        for (const DnsRecord& a : addrs.records)
            matches |= v6 ? std::memcmp(a.data.data(), &request_->ipv6, 16) == 0
                          : std::memcmp(a.data.data(), &request_->ipv4, 4) == 0;
        if (!matches)
            continue;
        std::string d = lower(domain);
        int rank = r.data == d ? 3 : (r.data.size() > d.size() && r.data.ends_with("." + d)) ? 2 : 1;
        if (rank > best_rank) {
            best = r.data;
            best_rank = rank;
        }
    }
    return best.empty() ? std::string("unknown") : best;
}

SPF_errcode_t SpfDnsLayer::get_exp(const char* domain, char** bufp, size_t* buflenp)
{
    // RFC 7208 6.2: exactly one TXT record, valid explain-string syntax,
    // otherwise no explanation (the receiver's default applies).
    DnsAnswer answer = resolver_.query(truncate_domain(lower(domain)), RrType::txt, deadline_);
    if (answer.status != DnsStatus::found || answer.records.size() != 1 || !request_)
        return SPF_E_NOT_SPF;
    MacroContext ctx;
    ctx.local_part = request_->env_from_lp ? request_->env_from_lp : "";
    ctx.sender_domain = request_->env_from_dp ? request_->env_from_dp : "";
    ctx.domain = request_->cur_dom ? request_->cur_dom : ctx.sender_domain;
    ctx.helo = request_->helo_dom ? request_->helo_dom : "";
    ctx.receiver = receiver_;
    ctx.timestamp = static_cast<long long>(std::time(nullptr));
    char buf[INET6_ADDRSTRLEN] = "";
    if (request_->client_ver == AF_INET6) {
        ctx.ipv6 = true;
        ctx.ip_dotted = ipv6_nibbles(request_->ipv6.s6_addr);
        ctx.ip_readable = ::inet_ntop(AF_INET6, &request_->ipv6, buf, sizeof buf);
    } else {
        ctx.ip_readable = ::inet_ntop(AF_INET, &request_->ipv4, buf, sizeof buf);
        ctx.ip_dotted = ctx.ip_readable;
    }
    std::string current = ctx.domain;
    ctx.validated_name = [this, current] { return validated_client_name(current); };
    auto text = expand_macros(answer.records[0].data, ctx, true);
    if (!text)
        return SPF_E_SYNTAX;
    // The buffer belongs to libspf2, which frees it; its contract is
    // malloc/realloc, so that is what grows it.
    std::size_t need = text->size() + 1;
    if (*buflenp < need) {
        char* grown = static_cast<char*>(std::realloc(*bufp, need));
        if (!grown)
            return SPF_E_NO_MEMORY;
        *bufp = grown;
        *buflenp = need;
    }
    std::memcpy(*bufp, text->c_str(), need);
    return SPF_E_SUCCESS;
}

void SpfDnsLayer::stop_with_permerror(std::string reason)
{
    if (!permerror_)
        permerror_ = std::move(reason);
}

bool SpfDnsLayer::count_term(std::string_view what)
{
    if (++dns_terms_ > limits_.dns_terms) {
        stop_with_permerror("more than " + std::to_string(limits_.dns_terms)
            + " DNS-querying terms (RFC 7208 4.6.4), at " + std::string(what));
        return false;
    }
    return true;
}

bool SpfDnsLayer::count_void(std::string_view name)
{
    if (++void_lookups_ > limits_.void_lookups) {
        stop_with_permerror("more than " + std::to_string(limits_.void_lookups)
            + " void lookups (RFC 7208 4.6.4), at " + std::string(name));
        return false;
    }
    return true;
}

SPF_dns_rr_t* SpfDnsLayer::to_rr(
    const char* domain, ns_type type, const DnsAnswer& answer, std::size_t max_records)
{
    SPF_dns_rr_t* rr = SPF_dns_rr_new_init(&layer_, domain, type, 0, herrno_of(answer.status));
    if (!rr)
        throw std::bad_alloc();
    int n = 0;
    for (const DnsRecord& rec : answer.records) {
        if (static_cast<std::size_t>(n) >= max_records)
            break;
        std::size_t len = rec.data.size() + 1;
        if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS) {
            SPF_dns_rr_free(rr);
            throw std::bad_alloc();
        }
        switch (type) {
        case ns_t_a:
            std::memcpy(&rr->rr[n]->a, rec.data.data(), sizeof(in_addr));
            break;
        case ns_t_aaaa:
            std::memcpy(&rr->rr[n]->aaaa, rec.data.data(), sizeof(in6_addr));
            break;
        default: // names and text, NUL-terminated
            std::memcpy(rr->rr[n]->txt, rec.data.c_str(), len);
            break;
        }
        ++n;
    }
    rr->num_rr = n;
    return rr;
}

SPF_dns_rr_t* SpfDnsLayer::lookup(const char* domain, ns_type type)
{
    // RFC 7208 7.3: an expanded name over 253 characters loses labels on the left.
    std::string name = lower(domain);
    bool any_address = name.starts_with(cidr0_marker);
    if (any_address)
        name.erase(0, cidr0_marker.size());
    name = truncate_domain(name);
    auto stop = [&]() { return SPF_dns_rr_new_init(&layer_, domain, type, 0, TRY_AGAIN); };
    if (permerror_)
        return stop();
    switch (type) {
    case ns_t_a:
    case ns_t_aaaa:
    case ns_t_mx:
    case ns_t_ptr:
    case ns_t_txt:
        break;
    default:
        // libspf2 asks for type SPF only through get_spf, which we replace;
        // RFC 7208 3.1 retired that type anyway.
        return SPF_dns_rr_new_init(&layer_, domain, type, 0, NO_DATA);
    }

    bool sub_lookup = false;
    if (type == ns_t_a || type == ns_t_aaaa) {
        auto it = pending_hosts_.find(name);
        if (it != pending_hosts_.end()) {
            sub_lookup = true; // an address of an MX or PTR name: same term
            pending_hosts_.erase(it);
            any_address = any_address_hosts_.erase(name) > 0;
        }
    }
    // A TXT lookup here is the exp= explanation (SPF records come through
    // get_spf); RFC 7208 6.2 does not count it.
    bool term = type != ns_t_txt && !sub_lookup;
    if (term) {
        pending_hosts_.clear();
        any_address_hosts_.clear();
        if (!count_term(name))
            return stop();
    }

    DnsAnswer answer = resolver_.query(name, static_cast<RrType>(type), deadline_);
    if (answer.status == DnsStatus::temporary) {
        dns_error_ = answer.reason;
        return to_rr(domain, type, answer, 0);
    }
    if (term && answer.status != DnsStatus::found && !count_void(name))
        return stop();

    std::size_t max_records = SIZE_MAX;
    if (type == ns_t_mx) {
        if (answer.records.size() > static_cast<std::size_t>(limits_.mx_hosts)) {
            stop_with_permerror(
                name + " has more than " + std::to_string(limits_.mx_hosts) + " MX hosts (RFC 7208 4.6.4)");
            return stop();
        }
        for (const DnsRecord& r : answer.records) {
            pending_hosts_.insert(lower(r.data));
            if (any_address)
                any_address_hosts_.insert(lower(r.data));
        }
    } else if (type == ns_t_ptr) {
        // RFC 7208 4.6.4: PTR names beyond the tenth are ignored.
        max_records = static_cast<std::size_t>(limits_.ptr_names);
        std::size_t n = 0;
        for (const DnsRecord& r : answer.records)
            if (n++ < max_records)
                pending_hosts_.insert(lower(r.data));
    } else if (type == ns_t_txt && answer.records.size() > 1) {
        // RFC 7208 6.2: more than one explanation record means none.
        DnsAnswer none;
        none.status = DnsStatus::nodata;
        return to_rr(domain, type, none, 0);
    }
    if (any_address && answer.status == DnsStatus::found && request_
        && (type == ns_t_a || type == ns_t_aaaa)) {
        // Prefix length 0 (see libspf2_form): any address matches the client.
        DnsRecord client;
        client.type = static_cast<RrType>(type);
        client.data = type == ns_t_a ? std::string(reinterpret_cast<const char*>(&request_->ipv4), 4)
                                     : std::string(reinterpret_cast<const char*>(&request_->ipv6), 16);
        answer.records.assign(1, client);
    }
    return to_rr(domain, type, answer, max_records);
}

SpfRecordLookup SpfDnsLayer::fetch_record(std::string_view domain)
{
    using Outcome = SpfRecordLookup::Outcome;
    std::string name = lower(domain);
    DnsAnswer answer = resolver_.query(name, RrType::txt, deadline_);
    switch (answer.status) {
    case DnsStatus::temporary:
        return { Outcome::temperror, {}, "DNS error looking up " + name + ": " + answer.reason };
    case DnsStatus::nxdomain:
        return { Outcome::none, {}, name + " does not exist" };
    case DnsStatus::nodata:
        return { Outcome::none, {}, name + " has no SPF record" };
    case DnsStatus::found:
        break;
    }
    const DnsRecord* chosen = nullptr;
    for (const DnsRecord& r : answer.records) {
        if (!is_spf_record(r.data))
            continue;
        if (chosen) // RFC 7208 4.5: more than one record is a permerror
            return { Outcome::permerror, {}, name + " has more than one SPF record" };
        chosen = &r;
    }
    if (!chosen)
        return { Outcome::none, {}, name + " has no SPF record" };
    if (auto err = spf_syntax_error(chosen->data); !err.empty())
        return { Outcome::permerror, {}, "SPF record of " + name + ": " + err };
    return { Outcome::found, chosen->data, {} };
}

SPF_errcode_t SpfDnsLayer::get_spf(
    SPF_server_t* server, SPF_request_t* request, SPF_response_t* response, SPF_record_t** recordp)
{
    *recordp = nullptr;
    if (permerror_)
        return SPF_E_DNS_ERROR;
    std::string domain = request->cur_dom ? request->cur_dom : "";
    // Only include and redirect come here (the top-level record is fetched
    // by fetch_record), so each call is one DNS-querying term.
    pending_hosts_.clear();
    if (!count_term(domain))
        return SPF_E_DNS_ERROR;
    SpfRecordLookup found = fetch_record(domain);
    using Outcome = SpfRecordLookup::Outcome;
    switch (found.outcome) {
    case Outcome::temperror:
        dns_error_ = found.reason;
        return SPF_E_DNS_ERROR;
    case Outcome::none:
        // RFC 7208 5.2 and 6.1: include or redirect of a domain without a
        // record is a permerror.
        stop_with_permerror("no SPF record at " + domain + " (include or redirect target)");
        return SPF_E_DNS_ERROR;
    case Outcome::permerror:
        stop_with_permerror(found.reason);
        return SPF_E_DNS_ERROR;
    case Outcome::found:
        break;
    }
    std::string form = libspf2_form(found.record, client_v6_);
    SPF_errcode_t err = SPF_record_compile(server, response, recordp, form.c_str());
    if (err != SPF_E_SUCCESS) {
        stop_with_permerror("libspf2 cannot compile the SPF record of " + domain);
        return err;
    }
    return SPF_E_SUCCESS;
}

} // namespace sendsentry::auth
