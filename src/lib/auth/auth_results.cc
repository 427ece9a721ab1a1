// RFC 8601 Authentication-Results: building ours, recognising forged copies.
#include "auth/auth_results.hh"

namespace sendsentry::auth {
namespace {

    // RFC 2045 token: printable ASCII without tspecials; otherwise quoted.
    // RFC 8601 2.2 allows [local-part "@"] domain-name unquoted as pvalue.
    std::string pvalue(std::string_view v)
    {
        bool token = !v.empty();
        for (unsigned char c : v)
            if (c <= ' ' || c >= 0x7f
                || std::string_view("()<>,;:\\\"/[]?=").find(char(c)) != std::string_view::npos)
                token = false;
        if (token)
            return std::string(v);
        std::string out = "\"";
        for (char c : v) {
            if (c == '"' || c == '\\')
                out += '\\';
            if (static_cast<unsigned char>(c) >= 0x20)
                out += c;
        }
        return out + "\"";
    }

    // Comments may not hold unbalanced parentheses or control characters.
    std::string comment(std::string_view text)
    {
        std::string out = "(";
        for (char c : text) {
            if (c == '(' || c == ')' || c == '\\')
                out += '\\';
            if (static_cast<unsigned char>(c) >= 0x20)
                out += c;
        }
        return out + ")";
    }

    std::string fold(const std::vector<std::string>& parts)
    {
        // "id; res1; res2": each resinfo on its own folded line.
        std::string out = parts.front();
        for (std::size_t i = 1; i < parts.size(); ++i)
            out += ";\n\t" + parts[i];
        return out;
    }

} // namespace

std::string build_authentication_results(const AuthResultsInput& in)
{
    std::vector<std::string> parts;
    parts.push_back(in.authserv_id.empty() ? std::string("localhost") : in.authserv_id);

    std::string spf = std::string("spf=") + to_string(in.spf.result);
    if (!in.spf_ip.empty() || !in.spf.reason.empty())
        spf += " " + comment(in.spf.reason.empty() ? in.spf_ip : in.spf.reason);
    if (!in.mail_from.empty())
        spf += " smtp.mailfrom=" + pvalue(in.mail_from);
    else
        spf += " smtp.helo=" + pvalue(in.helo);
    parts.push_back(spf);

    if (in.dkim.empty())
        parts.push_back("dkim=none (not signed)");
    for (const DkimSigned& d : in.dkim) {
        std::string s = "dkim=" + d.result + " " + comment("signed by this relay");
        s += " header.d=" + pvalue(d.domain);
        if (!d.selector.empty())
            s += " header.s=" + pvalue(d.selector);
        parts.push_back(s);
    }

    if (in.dmarc) {
        const DmarcVerdict& v = *in.dmarc;
        std::string s = std::string("dmarc=") + to_string(v.result);
        std::string note;
        if (v.record) {
            note = "p=" + v.record->policy;
            if (!v.record->subdomain_policy.empty())
                note += " sp=" + v.record->subdomain_policy;
            note += std::string(" aspf=") + (v.record->strict_spf ? "s" : "r");
            note += std::string(" adkim=") + (v.record->strict_dkim ? "s" : "r");
            note += std::string("; spf ") + (v.spf_aligned ? "aligned" : "not aligned");
            note += std::string(", dkim ") + (v.dkim_aligned ? "aligned" : "not aligned");
        } else {
            note = v.reason;
        }
        s += " " + comment(note);
        s += " header.from=" + pvalue(v.from_domain);
        if (!v.policy.empty())
            s += " policy.dmarc=" + v.policy; // RFC 7489 11.2
        parts.push_back(s);
    } else {
        parts.push_back("dmarc=permerror " + comment(in.dmarc_error));
    }
    return fold(parts);
}

bool claims_authserv_id(std::string_view value, std::string_view authserv_id)
{
    std::size_t i = 0;
    auto skip_cfws = [&] {
        for (;;) {
            while (i < value.size()
                && (value[i] == ' ' || value[i] == '\t' || value[i] == '\r' || value[i] == '\n'))
                ++i;
            if (i < value.size() && value[i] == '(') {
                int depth = 0;
                for (; i < value.size(); ++i) {
                    if (value[i] == '\\')
                        ++i;
                    else if (value[i] == '(')
                        ++depth;
                    else if (value[i] == ')' && --depth == 0) {
                        ++i;
                        break;
                    }
                }
                continue;
            }
            return;
        }
    };
    skip_cfws();
    std::size_t start = i;
    while (i < value.size() && value[i] != ';' && value[i] != ' ' && value[i] != '\t' && value[i] != '('
        && value[i] != '\r' && value[i] != '\n')
        ++i;
    std::string_view id = value.substr(start, i - start);
    if (id.size() != authserv_id.size() || id.empty())
        return false;
    for (std::size_t k = 0; k < id.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(id[k]))
            != std::tolower(static_cast<unsigned char>(authserv_id[k])))
            return false;
    return true;
}

} // namespace sendsentry::auth
