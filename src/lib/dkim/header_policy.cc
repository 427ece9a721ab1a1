// Header selection: validation and normalisation of the signed-field lists.
#include "dkim/header_policy.hh"

#include <algorithm>
#include <cctype>

namespace sendsentry::dkim {
namespace {

    std::string lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }

    // RFC 5322 2.2 allows any printable ASCII but ':' in a field name; we
    // accept letters, digits, '-' and '_' because libopendkim compiles the
    // names into a regular expression (dkim_options, DKIM_OPTS_SIGNHDRS) where
    // '.', '*' or '(' would change the meaning. Every registered field fits.
    bool valid_field_name(std::string_view n)
    {
        if (n.empty() || n.size() > 76)
            return false;
        return std::all_of(
            n.begin(), n.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
    }

    bool contains(const std::vector<std::string>& v, std::string_view s)
    {
        return std::find(v.begin(), v.end(), s) != v.end();
    }

} // namespace

const std::vector<std::string> default_sign_headers = { "from", "to", "cc", "subject", "date", "message-id",
    "mime-version", "content-type", "content-transfer-encoding", "reply-to", "list-unsubscribe",
    "list-unsubscribe-post", "in-reply-to", "references" };
const std::vector<std::string> default_oversign_headers = { "from", "subject", "to", "date" };

Result<HeaderPolicy> HeaderPolicy::make(
    const std::vector<std::string>& sign, const std::vector<std::string>& oversign)
{
    HeaderPolicy p;
    std::string problems;
    auto add = [&](std::vector<std::string>& into, const std::string& name, const char* list) {
        if (!valid_field_name(name)) {
            problems += (problems.empty() ? "" : "; ") + std::string(list) + ": \"" + name
                + "\" is not a header field name";
            return;
        }
        std::string l = lower(name);
        if (l == "dkim-signature") {
            problems
                += (problems.empty() ? "" : "; ") + std::string(list) + ": DKIM-Signature cannot be signed";
            return;
        }
        if (!contains(into, l))
            into.push_back(std::move(l));
    };
    add(p.sign_, "from", "sign_headers");
    for (const std::string& n : sign)
        add(p.sign_, n, "sign_headers");
    for (const std::string& n : oversign) {
        add(p.oversign_, n, "oversign_headers");
        add(p.sign_, n, "sign_headers");
    }
    if (p.sign_.size() > max_header_names || p.oversign_.size() > max_header_names)
        problems += (problems.empty() ? "" : "; ") + std::string("more than ")
            + std::to_string(max_header_names) + " header names";
    if (!problems.empty())
        return make_error(ErrorKind::invalid, problems);
    p.rebuild_arrays();
    return p;
}

HeaderPolicy& HeaderPolicy::operator=(const HeaderPolicy& other)
{
    if (this != &other) {
        sign_ = other.sign_;
        oversign_ = other.oversign_;
        rebuild_arrays();
    }
    return *this;
}

void HeaderPolicy::rebuild_arrays()
{
    sign_ptrs_.clear();
    for (const std::string& s : sign_)
        sign_ptrs_.push_back(s.c_str());
    sign_ptrs_.push_back(nullptr);
    oversign_ptrs_.clear();
    for (const std::string& s : oversign_)
        oversign_ptrs_.push_back(s.c_str());
    oversign_ptrs_.push_back(nullptr);
}

bool HeaderPolicy::signs(std::string_view name) const noexcept { return contains(sign_, lower(name)); }

bool HeaderPolicy::oversigns(std::string_view name) const noexcept
{
    return contains(oversign_, lower(name));
}

std::vector<std::string> HeaderPolicy::expected_h(const std::vector<std::string>& present) const
{
    std::vector<std::string> out;
    for (const std::string& n : present)
        if (signs(n))
            out.push_back(lower(n));
    for (const std::string& n : oversign_)
        out.push_back(n);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace sendsentry::dkim
