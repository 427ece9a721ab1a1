// SPF evaluation: initial checks, libspf2 through our DNS layer, result mapping.
#include "auth/spf.hh"

#include "auth/spf_handles.hh"
#include "auth/spf_record_syntax.hh"
#include "core/log.hh"

#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace sendsentry::auth {
namespace {

    // libspf2's four log hooks. The error hook must not return
    // (spf_log.h declares it noreturn): it reports a broken invariant inside
    // libspf2, so we log it as critical and abort.
    [[noreturn]] void spf_error_hook(const char* file, int line, const char* message)
    {
        log::Logger("libspf2").crit("libspf2 internal error",
            { { "file", file ? file : "" }, { "line", line }, { "message", message ? message : "" } });
        std::abort();
    }
    void spf_warning_hook(const char*, int, const char* message)
    {
        log::Logger("libspf2").warning("libspf2 warning", { { "message", message ? message : "" } });
    }
    void spf_debug_hook(const char*, int, const char* message)
    {
        log::Logger("libspf2").debug("libspf2", { { "message", message ? message : "" } });
    }

    struct ClientAddress {
        bool v6 = false;
        in_addr a4 {};
        in6_addr a6 {};
        std::string text;
    };

    // Parses IP; an IPv4-mapped IPv6 address (::ffff:192.0.2.1) is treated as
    // the IPv4 address it carries (RFC 7208 section 5, 4.6.4 note).
    std::optional<ClientAddress> parse_client(std::string_view ip)
    {
        ClientAddress c;
        std::string s(ip);
        if (::inet_pton(AF_INET, s.c_str(), &c.a4) == 1) {
            c.text = s;
            return c;
        }
        if (::inet_pton(AF_INET6, s.c_str(), &c.a6) != 1)
            return std::nullopt;
        if (IN6_IS_ADDR_V4MAPPED(&c.a6)) {
            std::memcpy(&c.a4, &c.a6.s6_addr[12], 4);
            char buf[INET_ADDRSTRLEN];
            c.text = ::inet_ntop(AF_INET, &c.a4, buf, sizeof buf);
            return c;
        }
        c.v6 = true;
        char buf[INET6_ADDRSTRLEN];
        c.text = ::inet_ntop(AF_INET6, &c.a6, buf, sizeof buf);
        return c;
    }

    // RFC 7208 4.3: the domain must be a fully qualified domain name: at
    // least two labels of 1..63 octets, at most 253 characters, no address
    // literal. Anything else is "none" without a lookup.
    bool checkable_domain(std::string_view domain)
    {
        if (!domain.empty() && domain.back() == '.')
            domain.remove_suffix(1);
        if (domain.empty() || domain.size() > max_name_length || domain.front() == '[')
            return false;
        if (domain.find('.') == std::string_view::npos)
            return false;
        if (!valid_query_name(domain))
            return false;
        for (unsigned char c : domain)
            if (c <= ' ' || c >= 0x7f)
                return false;
        return true;
    }

    SpfResult from_libspf2(SPF_result_t r, SPF_errcode_t err)
    {
        switch (r) {
        case SPF_RESULT_NEUTRAL:
            return SpfResult::neutral;
        case SPF_RESULT_PASS:
            return SpfResult::pass;
        case SPF_RESULT_FAIL:
            return SpfResult::fail;
        case SPF_RESULT_SOFTFAIL:
            return SpfResult::softfail;
        case SPF_RESULT_NONE:
            return SpfResult::none;
        case SPF_RESULT_TEMPERROR:
            return SpfResult::temperror;
        case SPF_RESULT_PERMERROR:
            return SpfResult::permerror;
        case SPF_RESULT_INVALID:
            break;
        }
        // libspf2 gave no result: its record fetch or compile failed.
        return err == SPF_E_DNS_ERROR || err == SPF_E_NO_MEMORY ? SpfResult::temperror : SpfResult::permerror;
    }

    std::string describe(SpfResult r, std::string_view domain, std::string_view ip)
    {
        std::string d(domain), i(ip);
        switch (r) {
        case SpfResult::pass:
            return "domain of " + d + " designates " + i + " as permitted sender";
        case SpfResult::fail:
            return "domain of " + d + " does not designate " + i + " as permitted sender";
        case SpfResult::softfail:
            return "domain of " + d + " does not designate " + i + " as permitted sender (softfail, ~all)";
        case SpfResult::neutral:
            return i + " is neither permitted nor denied by domain of " + d;
        case SpfResult::none:
            return d + " does not publish an SPF record";
        case SpfResult::temperror:
            return "temporary error evaluating the SPF record of " + d;
        case SpfResult::permerror:
            return "the SPF record of " + d + " cannot be evaluated";
        }
        return {};
    }

} // namespace

const char* to_string(SpfResult result) noexcept
{
    switch (result) {
    case SpfResult::none:
        return "none";
    case SpfResult::neutral:
        return "neutral";
    case SpfResult::pass:
        return "pass";
    case SpfResult::fail:
        return "fail";
    case SpfResult::softfail:
        return "softfail";
    case SpfResult::temperror:
        return "temperror";
    case SpfResult::permerror:
        return "permerror";
    }
    return "temperror";
}

std::optional<SpfResult> parse_spf_result(std::string_view word) noexcept
{
    for (SpfResult r : { SpfResult::none, SpfResult::neutral, SpfResult::pass, SpfResult::fail,
             SpfResult::softfail, SpfResult::temperror, SpfResult::permerror })
        if (word == to_string(r))
            return r;
    return std::nullopt;
}

void install_spf_log_hooks()
{
    static std::once_flag once;
    std::call_once(once, [] {
        SPF_error_handler = &spf_error_hook;
        SPF_warning_handler = &spf_warning_hook;
        SPF_info_handler = &spf_debug_hook;
        SPF_debug_handler = &spf_debug_hook;
    });
}

SpfChecker::SpfChecker(Resolver& resolver, SpfOptions options)
    : resolver_(resolver)
    , options_(std::move(options))
{
    install_spf_log_hooks();
}

SpfVerdict SpfChecker::check(const SpfQuery& query) const
{
    return check(query, Clock::now() + options_.time_limit);
}

SpfVerdict SpfChecker::check(const SpfQuery& query, Deadline deadline) const
{
    SpfVerdict verdict;
    std::string sender;
    std::string domain;
    if (!query.mail_from.empty()) {
        verdict.identity = "mailfrom";
        auto at = query.mail_from.rfind('@');
        domain = at == std::string::npos ? query.mail_from : query.mail_from.substr(at + 1);
        std::string local = at == std::string::npos ? std::string() : query.mail_from.substr(0, at);
        // RFC 7208 4.3: a sender without local-part is "postmaster".
        sender = (local.empty() ? std::string("postmaster") : local) + "@" + domain;
    } else {
        verdict.identity = "helo";
        domain = query.helo;
        sender = "postmaster@" + domain;
    }
    if (!domain.empty() && domain.back() == '.')
        domain.pop_back();
    verdict.domain = domain;

    auto client = parse_client(query.ip);
    if (!client) {
        verdict.result = SpfResult::permerror;
        verdict.reason = "client address '" + query.ip + "' is not an IP address";
        return verdict;
    }
    if (!checkable_domain(domain)) {
        verdict.result = SpfResult::none;
        verdict.reason = "'" + domain + "' is not a fully qualified domain name (RFC 7208 4.3)";
        return verdict;
    }
    return evaluate(query, domain, sender, deadline, std::move(verdict));
}

SpfVerdict SpfChecker::evaluate(const SpfQuery& query, std::string_view domain, std::string_view sender,
    Deadline deadline, SpfVerdict verdict) const
{
    auto client = parse_client(query.ip);
    SpfDnsLayer layer(resolver_, deadline, options_.limits, client->v6);
    auto finish = [&](SpfResult r, std::string reason) {
        verdict.result = r;
        verdict.reason = reason.empty() ? describe(r, domain, client->text) : std::move(reason);
        verdict.dns_terms = layer.dns_terms();
        verdict.void_lookups = layer.void_lookups();
        return verdict;
    };

    SpfRecordLookup record = layer.fetch_record(domain);
    switch (record.outcome) {
    case SpfRecordLookup::Outcome::none:
        return finish(SpfResult::none, record.reason);
    case SpfRecordLookup::Outcome::temperror:
        return finish(SpfResult::temperror, record.reason);
    case SpfRecordLookup::Outcome::permerror:
        return finish(SpfResult::permerror, record.reason);
    case SpfRecordLookup::Outcome::found:
        break;
    }

    SpfServer server(SPF_server_new_dns(layer.get(), 0));
    if (!server)
        return finish(SpfResult::temperror, "out of memory creating the SPF server");
    // Our layer enforces the RFC 7208 4.6.4 limits exactly; libspf2's own
    // counters fire one term late, so they are set out of the way.
    (void)SPF_server_set_max_dns_mech(server.get(), 1000);
    (void)SPF_server_set_max_dns_mx(server.get(), 1000);
    (void)SPF_server_set_max_dns_ptr(server.get(), 1000);
    (void)SPF_server_set_rec_dom(server.get(), options_.receiver.c_str());
    {
        SPF_response_t* raw = nullptr;
        (void)SPF_server_set_explanation(server.get(), options_.default_explanation.c_str(), &raw);
        SpfResponse discard(raw);
    }

    SpfRequest request(SPF_request_new(server.get()));
    if (!request)
        return finish(SpfResult::temperror, "out of memory creating the SPF request");
    if (client->v6)
        (void)SPF_request_set_ipv6(request.get(), client->a6);
    else
        (void)SPF_request_set_ipv4(request.get(), client->a4);
    std::string sender_text(sender);
    if (SPF_request_set_env_from(request.get(), sender_text.c_str()) != 0)
        return finish(SpfResult::temperror, "out of memory setting the sender");
    if (!query.helo.empty())
        (void)SPF_request_set_helo_dom(request.get(), query.helo.c_str());

    layer.attach(request.get(), options_.receiver);

    std::string form = libspf2_form(record.record, client->v6);
    SPF_response_t* raw_response = nullptr;
    SPF_errcode_t err = SPF_request_query_fallback(request.get(), &raw_response, form.c_str());
    SpfResponse response(raw_response);

    if (layer.permerror())
        return finish(SpfResult::permerror, *layer.permerror());
    SpfResult result
        = response ? from_libspf2(SPF_response_result(response.get()), err) : SpfResult::temperror;
    if (result == SpfResult::temperror) {
        std::string why = layer.dns_error().empty() ? std::string("DNS error") : layer.dns_error();
        if (Clock::now() >= deadline)
            why = "time limit reached (" + std::to_string(options_.time_limit.count()) + " ms): " + why;
        return finish(
            result, "temporary error evaluating the SPF record of " + std::string(domain) + ": " + why);
    }
    if (result == SpfResult::permerror) {
        SPF_errcode_t code = response ? SPF_response_errcode(response.get()) : err;
        if (code == SPF_E_SUCCESS)
            code = err;
        return finish(result,
            "the SPF record of " + std::string(domain) + " cannot be evaluated: " + SPF_strerror(code));
    }
    if (result == SpfResult::fail) {
        const char* exp = SPF_response_get_explanation(response.get());
        verdict.explanation = exp ? exp : "";
    }
    return finish(result, {});
}

} // namespace sendsentry::auth
