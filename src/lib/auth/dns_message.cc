// DNS wire format: query encoding and response decoding (RFC 1035 4.1).
#include "auth/dns_message.hh"

#include <cstring>

namespace sendsentry::auth {
namespace {

    // A compressed name may point back many times; a well-formed message
    // needs at most one pointer per label, so 128 hops is generous.
    constexpr int max_pointer_hops = 128;

    class Reader {
    public:
        explicit Reader(std::string_view message)
            : msg_(message)
        {
        }

        bool u8(std::uint8_t& out)
        {
            if (pos_ + 1 > msg_.size())
                return false;
            out = static_cast<std::uint8_t>(msg_[pos_++]);
            return true;
        }
        bool u16(std::uint16_t& out)
        {
            if (pos_ + 2 > msg_.size())
                return false;
            out = static_cast<std::uint16_t>((byte(pos_) << 8) | byte(pos_ + 1));
            pos_ += 2;
            return true;
        }
        bool u32(std::uint32_t& out)
        {
            std::uint16_t hi = 0, lo = 0;
            if (!u16(hi) || !u16(lo))
                return false;
            out = (std::uint32_t(hi) << 16) | lo;
            return true;
        }
        bool skip(std::size_t n)
        {
            if (pos_ + n > msg_.size())
                return false;
            pos_ += n;
            return true;
        }
        bool bytes(std::size_t n, std::string& out)
        {
            if (pos_ + n > msg_.size())
                return false;
            out.assign(msg_.substr(pos_, n));
            pos_ += n;
            return true;
        }

        // Reads a possibly compressed name at the cursor.
        bool name(std::string& out)
        {
            out.clear();
            std::size_t p = pos_;
            bool jumped = false;
            for (int hops = 0; hops <= max_pointer_hops;) {
                if (p >= msg_.size())
                    return false;
                std::uint8_t len = byte(p);
                if (len == 0) {
                    if (!jumped)
                        pos_ = p + 1;
                    if (out.size() > max_name_length + 1)
                        return false;
                    return true;
                }
                if ((len & 0xc0) == 0xc0) {
                    if (p + 1 >= msg_.size())
                        return false;
                    std::size_t target = (std::size_t(len & 0x3f) << 8) | byte(p + 1);
                    if (!jumped)
                        pos_ = p + 2;
                    jumped = true;
                    p = target;
                    ++hops;
                    continue;
                }
                if ((len & 0xc0) != 0 || p + 1 + len > msg_.size())
                    return false;
                if (!out.empty())
                    out += '.';
                for (std::size_t i = 0; i < len; ++i) {
                    char c = msg_[p + 1 + i];
                    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
                }
                if (out.size() > 2 * max_name_length)
                    return false;
                p += 1 + len;
            }
            return false;
        }

        std::size_t pos() const noexcept { return pos_; }

    private:
        unsigned byte(std::size_t i) const { return static_cast<std::uint8_t>(msg_[i]); }

        std::string_view msg_;
        std::size_t pos_ = 0;
    };

    bool known_type(std::uint16_t t)
    {
        switch (static_cast<RrType>(t)) {
        case RrType::a:
        case RrType::cname:
        case RrType::ptr:
        case RrType::mx:
        case RrType::txt:
        case RrType::aaaa:
        case RrType::spf:
            return true;
        default:
            return false;
        }
    }

    // Decodes RDATA of TYPE at the reader's cursor, exactly RDLENGTH octets.
    bool decode_rdata(
        Reader& r, std::string_view message, RrType type, std::uint16_t rdlength, DnsRecord& rec)
    {
        std::size_t end = r.pos() + rdlength;
        switch (type) {
        case RrType::a:
            if (rdlength != 4)
                return false;
            return r.bytes(4, rec.data);
        case RrType::aaaa:
            if (rdlength != 16)
                return false;
            return r.bytes(16, rec.data);
        case RrType::cname:
        case RrType::ptr:
            return r.name(rec.data) && r.pos() == end;
        case RrType::mx:
            return r.u16(rec.preference) && r.name(rec.data) && r.pos() == end;
        case RrType::txt:
        case RrType::spf: {
            rec.strings = 0;
            while (r.pos() < end) {
                std::uint8_t len = 0;
                std::string part;
                if (!r.u8(len) || r.pos() + len > end || !r.bytes(len, part))
                    return false;
                rec.data += part;
                ++rec.strings;
            }
            return r.pos() == end;
        }
        default:
            (void)message;
            return r.skip(rdlength);
        }
    }

} // namespace

const char* to_string(RrType type) noexcept
{
    switch (type) {
    case RrType::a:
        return "A";
    case RrType::ns:
        return "NS";
    case RrType::cname:
        return "CNAME";
    case RrType::soa:
        return "SOA";
    case RrType::ptr:
        return "PTR";
    case RrType::mx:
        return "MX";
    case RrType::txt:
        return "TXT";
    case RrType::aaaa:
        return "AAAA";
    case RrType::spf:
        return "SPF";
    }
    return "?";
}

bool valid_query_name(std::string_view name) noexcept
{
    if (!name.empty() && name.back() == '.')
        name.remove_suffix(1);
    if (name.empty() || name.size() > max_name_length)
        return false;
    std::size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (++label > max_label_length) {
            return false;
        }
    }
    return label > 0;
}

Result<std::string> encode_query(std::uint16_t id, std::string_view name, RrType type)
{
    if (!valid_query_name(name))
        return make_error(ErrorKind::invalid, "not a valid DNS name: " + std::string(name.substr(0, 300)));
    if (name.back() == '.')
        name.remove_suffix(1);
    std::string q;
    q.reserve(18 + name.size());
    auto put16 = [&q](unsigned v) {
        q += char((v >> 8) & 0xff);
        q += char(v & 0xff);
    };
    put16(id);
    put16(0x0100); // standard query, recursion desired
    put16(1); // QDCOUNT
    put16(0);
    put16(0);
    put16(0);
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos)
            dot = name.size();
        q += char(dot - start);
        q.append(name.substr(start, dot - start));
        start = dot + 1;
    }
    q += '\0';
    put16(static_cast<unsigned>(type));
    put16(1); // class IN
    return q;
}

Result<DnsResponse> decode_response(std::string_view message)
{
    auto malformed = [](const char* what) {
        return make_error(ErrorKind::temporary, std::string("malformed DNS response: ") + what);
    };
    Reader r(message);
    DnsResponse resp;
    std::uint16_t flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
    if (!r.u16(resp.id) || !r.u16(flags) || !r.u16(qd) || !r.u16(an) || !r.u16(ns) || !r.u16(ar))
        return malformed("short header");
    if (!(flags & 0x8000))
        return malformed("not a response");
    resp.truncated = flags & 0x0200;
    resp.rcode = static_cast<Rcode>(flags & 0x000f);
    if (qd != 1)
        return malformed("question count is not 1");
    std::uint16_t qclass = 0;
    if (!r.name(resp.question_name) || !r.u16(resp.question_type) || !r.u16(qclass))
        return malformed("bad question");
    if (resp.truncated)
        return resp; // the caller retries over TCP; the rest may be cut
    for (int section = 0; section < 2; ++section) {
        unsigned count = section == 0 ? an : ns;
        for (unsigned i = 0; i < count; ++i) {
            DnsRecord rec;
            std::uint16_t type = 0, cls = 0, rdlength = 0;
            if (!r.name(rec.name) || !r.u16(type) || !r.u16(cls) || !r.u32(rec.ttl) || !r.u16(rdlength))
                return malformed("bad record header");
            if (section == 1) {
                // Authority: only the SOA matters, for its MINIMUM (RFC 2308 5).
                if (type == static_cast<std::uint16_t>(RrType::soa)) {
                    std::size_t end = r.pos() + rdlength;
                    std::string mname, rname;
                    std::uint32_t serial, refresh, retry, expire, minimum = 0;
                    if (!r.name(mname) || !r.name(rname) || !r.u32(serial) || !r.u32(refresh) || !r.u32(retry)
                        || !r.u32(expire) || !r.u32(minimum) || r.pos() != end)
                        return malformed("bad SOA");
                    resp.negative_ttl = std::min(rec.ttl, minimum);
                } else if (!r.skip(rdlength)) {
                    return malformed("record overruns message");
                }
                continue;
            }
            if (!known_type(type)) {
                if (!r.skip(rdlength))
                    return malformed("record overruns message");
                continue;
            }
            rec.type = static_cast<RrType>(type);
            if (!decode_rdata(r, message, rec.type, rdlength, rec))
                return malformed("bad record data");
            resp.answers.push_back(std::move(rec));
        }
    }
    (void)ar;
    return resp;
}

} // namespace sendsentry::auth
