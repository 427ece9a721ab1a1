// Organizational domains with libpsl.
#include "auth/org_domain.hh"

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

} // namespace

Result<OrgDomains> OrgDomains::load(const std::string& path)
{
    psl_ctx_t* ctx = path.empty() ? psl_latest(nullptr) : psl_load_file(path.c_str());
    if (!ctx)
        return make_error(ErrorKind::io,
            "cannot load the Public Suffix List" + (path.empty() ? std::string() : " from " + path)
                + " (Debian package publicsuffix)");
    return OrgDomains(ctx);
}

std::string OrgDomains::organizational(std::string_view domain) const
{
    std::string d = lower(domain);
    const char* reg = psl_registrable_domain(ctx_.get(), d.c_str());
    return reg ? std::string(reg) : d;
}

bool OrgDomains::aligned(std::string_view a, std::string_view b, bool strict) const
{
    std::string la = lower(a), lb = lower(b);
    if (strict)
        return la == lb;
    return organizational(la) == organizational(lb);
}

} // namespace sendsentry::auth
