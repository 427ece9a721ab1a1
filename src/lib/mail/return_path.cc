// Return-path tokens: layout, base32, HMAC and the key file.
//
// Token bytes, then base32 (RFC 4648 alphabet, lower case, no padding: some
// MTAs lower-case local parts, and '=' would read as a VERP separator):
//   [0]      version (1)
//   [1..4]   signed_at, Unix seconds, big-endian
//   [5..9]   message tag (40 bits of SHA-256 of the queue id)
//   [10..n)  the sender's local part when it fits, else nothing
//   [n..+10) HMAC-SHA256(secret, context || sender domain || 0 || bytes[0..n)), truncated
// The sender domain is the address's domain minus the label, so it is not
// repeated in the token, but the MAC covers it: a token cannot move domains.
#include "mail/return_path.hh"

#include "core/secret_file.hh"
#include "core/trim.hh"

#include <algorithm>
#include <array>
#include <cstring>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <optional>
#include <stdexcept>

namespace sendsentry::mail {
namespace {

    constexpr unsigned char version = 1;
    constexpr std::size_t header_bytes = 1 + 4 + 5;
    constexpr std::size_t tag_bytes = 5;
    constexpr std::string_view mac_context { "sendsentry return path v1\0", 26 };
    constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    using Bytes = std::string; // raw octets

    char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

    std::string to_lower(std::string_view s)
    {
        std::string out(s);
        for (char& c : out)
            c = lower(c);
        return out;
    }

    bool iequals_prefix(std::string_view s, std::string_view prefix)
    {
        if (s.size() < prefix.size())
            return false;
        for (std::size_t i = 0; i < prefix.size(); ++i)
            if (lower(s[i]) != lower(prefix[i]))
                return false;
        return true;
    }

    std::string base32(std::string_view bytes)
    {
        std::string out;
        out.reserve((bytes.size() * 8 + 4) / 5);
        unsigned buffer = 0;
        int bits = 0;
        for (unsigned char b : bytes) {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5) {
                out += alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
            out += alphabet[(buffer << (5 - bits)) & 31];
        return out;
    }

    // Accepts either case; refuses lengths no byte string encodes to and
    // non-zero padding bits, so each token has exactly one spelling.
    std::optional<Bytes> unbase32(std::string_view text)
    {
        switch (text.size() % 8) {
        case 1:
        case 3:
        case 6:
            return std::nullopt;
        default:
            break;
        }
        Bytes out;
        out.reserve(text.size() * 5 / 8);
        unsigned buffer = 0;
        int bits = 0;
        for (char c : text) {
            auto pos = alphabet.find(lower(c));
            if (pos == std::string_view::npos)
                return std::nullopt;
            buffer = (buffer << 5) | static_cast<unsigned>(pos);
            bits += 5;
            if (bits >= 8) {
                out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        if ((buffer & ((1u << bits) - 1)) != 0)
            return std::nullopt;
        return out;
    }

    std::array<unsigned char, EVP_MAX_MD_SIZE> mac_of(
        const std::string& secret, std::string_view domain, std::string_view body, unsigned* len)
    {
        std::string input;
        input.reserve(mac_context.size() + domain.size() + 1 + body.size());
        input.append(mac_context).append(domain).append(1, '\0').append(body);
        std::array<unsigned char, EVP_MAX_MD_SIZE> out {};
        if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(), len)
            || *len < mac_bytes)
            throw std::runtime_error("HMAC-SHA256 failed");
        return out;
    }

    bool valid_local_byte(unsigned char c) { return c >= 0x20 && c != 0x7f; }

    bool valid_label(std::string_view s)
    {
        if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-')
            return false;
        for (char c : s)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                return false;
        return true;
    }

    bool valid_prefix(std::string_view s)
    {
        if (s.empty() || s.size() > max_prefix || s.front() == '.' || s.back() == '.')
            return false;
        for (char c : s)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
                return false;
        return true;
    }

    // Token bytes that fit in the local part after "PREFIX+".
    std::size_t token_capacity(const ReturnPathSettings& s)
    {
        return (max_local_part - s.prefix.size() - 1) * 5 / 8;
    }

    void put_u32(Bytes& out, std::uint32_t v)
    {
        for (int shift = 24; shift >= 0; shift -= 8)
            out += static_cast<char>((v >> shift) & 0xff);
    }

    std::uint32_t get_u32(std::string_view in)
    {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
        return v;
    }

    Bytes tag_bytes_of(std::string_view message_id)
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        if (EVP_Digest(message_id.data(), message_id.size(), digest, &len, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 failed");
        return Bytes(reinterpret_cast<const char*>(digest), tag_bytes);
    }

    std::string hex(std::string_view bytes)
    {
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned char b : bytes) {
            out += digits[b >> 4];
            out += digits[b & 15];
        }
        return out;
    }

    TokenReading refuse(TokenStatus status, std::string detail)
    {
        TokenReading r;
        r.status = status;
        r.detail = std::move(detail);
        return r;
    }

} // namespace

Result<ReturnPathKeys> ReturnPathKeys::from_secrets(std::vector<std::string> secrets)
{
    if (secrets.empty())
        return make_error(ErrorKind::invalid, "no secret");
    if (secrets.size() > max_secrets)
        return make_error(ErrorKind::invalid, "more than " + std::to_string(max_secrets) + " secrets");
    for (std::size_t i = 0; i < secrets.size(); ++i)
        if (secrets[i].size() < min_secret_bytes)
            return make_error(ErrorKind::invalid,
                "secret " + std::to_string(i + 1) + " is shorter than " + std::to_string(min_secret_bytes)
                    + " bytes");
    ReturnPathKeys k;
    k.secrets_ = std::move(secrets);
    return k;
}

Result<ReturnPathKeys> ReturnPathKeys::load(const std::string& path)
{
    auto data = read_secret_file(path, max_key_file_bytes);
    if (!data)
        return std::move(data).error();
    std::vector<std::string> secrets;
    std::string_view rest = *data;
    int line = 0;
    while (!rest.empty()) {
        ++line;
        auto nl = rest.find('\n');
        std::string_view text = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view {} : rest.substr(nl + 1);
        if (text.empty() || text.front() == '#')
            continue;
        if (text.size() < min_secret_bytes)
            return make_error(ErrorKind::invalid,
                path + ":" + std::to_string(line) + ": secret shorter than "
                    + std::to_string(min_secret_bytes) + " bytes");
        secrets.emplace_back(text);
    }
    auto keys = from_secrets(std::move(secrets));
    if (!keys)
        return make_error(ErrorKind::invalid, path + ": " + keys.error().message);
    return keys;
}

Result<ReturnPathSettings> ReturnPathSettings::from_config(const config::Config& cfg)
{
    ReturnPathSettings s;
    s.prefix = to_lower(cfg.string("return_path", "local_prefix"));
    s.label = to_lower(cfg.string("return_path", "subdomain"));
    s.max_age = cfg.duration("return_path", "max_age").count();
    if (!valid_prefix(s.prefix))
        return make_error(ErrorKind::invalid,
            cfg.source() + ": [return_path] local_prefix: 1 to " + std::to_string(max_prefix)
                + " of a-z 0-9 - . _ expected, got \"" + s.prefix + "\"");
    if (!valid_label(s.label))
        return make_error(ErrorKind::invalid,
            cfg.source() + ": [return_path] subdomain: one DNS label (a-z 0-9 -) expected, got \"" + s.label
                + "\"");
    return s;
}

std::string message_tag(std::string_view message_id) { return hex(tag_bytes_of(message_id)); }

Result<std::string> make_return_path(const ReturnPathKeys& keys, const ReturnPathSettings& settings,
    const Address& sender, std::string_view message_id, std::int64_t now)
{
    if (sender.is_null())
        return make_error(ErrorKind::invalid, "the null sender has no return path");
    if (keys.secrets().empty())
        return make_error(ErrorKind::invalid, "no return-path secret");
    std::string domain = to_lower(sender.domain());
    std::string bounce_domain = settings.label + "." + domain;
    if (bounce_domain.size() > max_domain - 2)
        return make_error(
            ErrorKind::invalid, "sender domain too long for the " + settings.label + " subdomain");
    if (now < 0 || now > static_cast<std::int64_t>(UINT32_MAX))
        return make_error(ErrorKind::invalid, "clock outside the token's range");

    Bytes body;
    body += static_cast<char>(version);
    put_u32(body, static_cast<std::uint32_t>(now));
    body += tag_bytes_of(message_id);
    // The local part goes in when it fits; otherwise the domain alone
    // attributes the bounce (which is what reputation counts).
    std::size_t room = token_capacity(settings) - header_bytes - mac_bytes;
    const std::string& local = sender.local();
    bool fits = local.size() <= room
        && std::all_of(local.begin(), local.end(), [](char c) { return valid_local_byte(c); });
    if (fits)
        body += local;
    unsigned len = 0;
    auto mac = mac_of(keys.secrets().front(), domain, body, &len);
    body.append(reinterpret_cast<const char*>(mac.data()), mac_bytes);
    return settings.prefix + "+" + base32(body) + "@" + bounce_domain;
}

const char* to_string(TokenStatus status) noexcept
{
    switch (status) {
    case TokenStatus::valid:
        return "valid";
    case TokenStatus::not_a_token:
        return "not-a-token";
    case TokenStatus::malformed:
        return "malformed";
    case TokenStatus::forged:
        return "forged";
    case TokenStatus::expired:
        return "expired";
    }
    return "?";
}

bool has_token_form(const ReturnPathSettings& settings, std::string_view address) noexcept
{
    if (!address.empty() && address.front() == '<')
        address.remove_prefix(1);
    return address.find('@') != std::string_view::npos && address.size() > settings.prefix.size()
        && address[settings.prefix.size()] == '+' && iequals_prefix(address, settings.prefix);
}

TokenReading read_return_path(const ReturnPathKeys& keys, const ReturnPathSettings& settings,
    std::string_view address, std::int64_t now)
{
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = address.substr(1, address.size() - 2);
    auto at = address.rfind('@');
    if (at == std::string_view::npos)
        return refuse(TokenStatus::not_a_token, "no domain");
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    std::string marker = settings.prefix + "+";
    if (!iequals_prefix(local, marker))
        return refuse(TokenStatus::not_a_token, "local part does not start with " + marker);
    if (local.size() > max_local_part)
        return refuse(TokenStatus::malformed, "local part longer than 64 octets");
    if (domain.size() > max_domain)
        return refuse(TokenStatus::malformed, "domain longer than 255 octets");
    std::string label_dot = settings.label + ".";
    if (!iequals_prefix(domain, label_dot) || domain.size() == label_dot.size())
        return refuse(TokenStatus::malformed, "domain is not under the " + settings.label + " subdomain");
    std::string sender_domain = to_lower(domain.substr(label_dot.size()));

    auto bytes = unbase32(local.substr(marker.size()));
    if (!bytes)
        return refuse(TokenStatus::malformed, "not base32");
    if (bytes->size() < header_bytes + mac_bytes)
        return refuse(TokenStatus::malformed, "truncated");
    if (static_cast<unsigned char>((*bytes)[0]) != version)
        return refuse(TokenStatus::malformed, "unknown version");

    std::string_view body = std::string_view(*bytes).substr(0, bytes->size() - mac_bytes);
    std::string_view given = std::string_view(*bytes).substr(bytes->size() - mac_bytes);
    bool matched = false;
    for (const std::string& secret : keys.secrets()) {
        unsigned len = 0;
        auto mac = mac_of(secret, sender_domain, body, &len);
        // Every key is tried, match or not: the time taken says nothing.
        matched |= CRYPTO_memcmp(mac.data(), given.data(), mac_bytes) == 0;
    }
    if (!matched)
        return refuse(TokenStatus::forged, "no key's MAC matches");

    TokenReading r;
    r.path.sender_domain = std::move(sender_domain);
    r.path.signed_at = get_u32(body.substr(1, 4));
    r.path.message_tag = hex(body.substr(5, tag_bytes));
    r.path.sender_local = std::string(body.substr(header_bytes));
    if (r.path.signed_at > now + settings.max_clock_skew)
        return refuse(TokenStatus::expired, "signed in the future");
    if (now - r.path.signed_at > settings.max_age)
        return refuse(TokenStatus::expired,
            "signed " + std::to_string((now - r.path.signed_at) / 3600) + " h ago, past max_age");
    r.status = TokenStatus::valid;
    return r;
}

} // namespace sendsentry::mail
