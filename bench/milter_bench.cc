// milter_bench: a milter-protocol client (the MTA side of libmilter's
// protocol, version 6) used as the load driver of bench/milter_bench.sh and
// as the driver of the integration tests: it sends messages to a running
// milter the way Postfix does, applies the header insertions it gets back,
// and can save the resulting messages for independent DKIM verifiers.
//
// milter_bench --socket unix:PATH|inet:HOST:PORT --message FILE [options]
//   --concurrency N   parallel connections (default 1)
//   --seconds S       run for S seconds (default: until --count is reached)
//   --count N         messages in all (default 1 without --seconds)
//   --per-connection N  messages per milter connection (default 1, as Postfix
//                     cleanup; smtpd reuses one connection per SMTP session)
//   --client ADDR     connect address (default 127.0.0.1)
//   --daemon NAME     {daemon_name} macro
//   --auth USER       {auth_authen} macro (and {auth_type}=PLAIN)
//   --out FILE        write the first resulting message to FILE (CRLF lines)
//   --save-dir DIR --save N   save the first N resulting messages in DIR
// Prints "messages=N seconds=S rate=R accepted=A rejected=J tempfailed=T
// signed=G" (signed = messages that got a DKIM-Signature).
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// Protocol constants (libmilter/mfdef.h; not included so the driver does
// not share code with the filters it measures).
constexpr std::uint32_t protocol_version = 6;
constexpr std::uint32_t all_actions = 0x1ff;
constexpr std::uint32_t all_steps = 0x1fffff;
constexpr std::uint32_t p_noconnect = 0x1, p_nohelo = 0x2, p_nomail = 0x4, p_norcpt = 0x8, p_nobody = 0x10,
                        p_nohdrs = 0x20, p_noeoh = 0x40, p_nr_hdr = 0x80, p_nodata = 0x200,
                        p_nr_conn = 0x1000, p_nr_helo = 0x2000, p_nr_mail = 0x4000, p_nr_rcpt = 0x8000,
                        p_nr_data = 0x10000, p_nr_eoh = 0x40000, p_nr_body = 0x80000, p_leadspc = 0x100000;
constexpr std::size_t chunk_size = 65535; // MILTER_CHUNK_SIZE
constexpr std::size_t max_reply = 1 << 24; // a milter reply larger than this is broken

struct Options {
    std::string socket;
    std::string message_file;
    int concurrency = 1;
    double seconds = 0;
    long count = 0;
    int per_connection = 1;
    std::string client = "127.0.0.1";
    std::string daemon;
    std::string auth;
    std::string out;
    std::string save_dir;
    long save = 0;
    std::string sender = "<sender@example.com>";
    int recipients = 1;
};

struct Message {
    std::vector<std::pair<std::string, std::string>> headers; // name, value after ':' (folds as "\n")
    std::string body;
};

struct Result {
    char verdict = 0; // 'a','c','r','t','d','y'
    std::vector<std::pair<std::string, std::string>> inserted; // in final top-to-bottom order
    std::vector<std::pair<std::string, std::string>> added;
};

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Message parse_message(const std::string& raw)
{
    Message m;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        std::size_t eol = raw.find('\n', pos);
        std::size_t end = eol == std::string::npos ? raw.size() : eol;
        std::string line = raw.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        pos = eol == std::string::npos ? raw.size() : eol + 1;
        if (line.empty())
            break;
        if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
            m.headers.back().second += "\n" + line; // folded: Postfix joins with LF
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos)
            throw std::runtime_error("not a header line: " + line.substr(0, 60));
        m.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    m.body = raw.substr(std::min(pos, raw.size()));
    return m;
}

class Connection {
public:
    explicit Connection(const std::string& spec)
    {
        if (spec.rfind("unix:", 0) == 0) {
            sockaddr_un sa {};
            sa.sun_family = AF_UNIX;
            std::string path = spec.substr(5);
            std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
            fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
                throw std::runtime_error("connect " + spec + ": " + std::strerror(errno));
        } else if (spec.rfind("inet:", 0) == 0) {
            std::string hp = spec.substr(5);
            auto colon = hp.rfind(':');
            sockaddr_in sa {};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(static_cast<std::uint16_t>(std::stoi(hp.substr(colon + 1))));
            inet_pton(AF_INET, hp.substr(0, colon).c_str(), &sa.sin_addr);
            fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
                throw std::runtime_error("connect " + spec + ": " + std::strerror(errno));
            int one = 1;
            ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        } else {
            throw std::runtime_error("socket must be unix:PATH or inet:HOST:PORT");
        }
    }
    ~Connection()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void send(char cmd, const std::string& data)
    {
        std::uint32_t len = htonl(static_cast<std::uint32_t>(data.size() + 1));
        std::string packet(reinterpret_cast<const char*>(&len), 4);
        packet += cmd;
        packet += data;
        write_all(packet);
    }

    // Reads one reply packet: command and data.
    std::pair<char, std::string> receive()
    {
        std::uint32_t len = 0;
        read_all(reinterpret_cast<char*>(&len), 4);
        len = ntohl(len);
        if (len == 0 || len > max_reply)
            throw std::runtime_error("bad reply length");
        std::string buf(len, '\0');
        read_all(buf.data(), len);
        return { buf[0], buf.substr(1) };
    }

private:
    void write_all(const std::string& s)
    {
        std::size_t done = 0;
        while (done < s.size()) {
            ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw std::runtime_error(std::string("write: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
    }
    void read_all(char* p, std::size_t n)
    {
        while (n > 0) {
            ssize_t r = ::read(fd_, p, n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                throw std::runtime_error(r == 0 ? "milter closed the connection" : std::strerror(errno));
            p += r;
            n -= static_cast<std::size_t>(r);
        }
    }
    int fd_ = -1;
};

std::string be32(std::uint32_t v)
{
    v = htonl(v);
    return std::string(reinterpret_cast<const char*>(&v), 4);
}

std::uint32_t read_be32(const std::string& s, std::size_t at)
{
    std::uint32_t v = 0;
    std::memcpy(&v, s.data() + at, 4);
    return ntohl(v);
}

std::string nul(const std::string& s) { return s + std::string(1, '\0'); }

// One milter session: negotiate, then messages until closed.
class Session {
public:
    Session(const Options& o)
        : o_(o)
        , c_(o.socket)
    {
        c_.send('O', be32(protocol_version) + be32(all_actions) + be32(all_steps));
        auto [cmd, data] = c_.receive();
        if (cmd != 'O' || data.size() < 12)
            throw std::runtime_error("bad option negotiation reply");
        steps_ = read_be32(data, 8);
    }

    Result send_message(const Message& m, const std::string& queue_id, bool first)
    {
        Result r;
        if (first && !(steps_ & p_noconnect)) {
            macros('C', { { "{daemon_name}", o_.daemon }, { "j", "bench.example" } });
            std::string port("\0\0", 2);
            c_.send('C', nul("client.example") + "4" + port + nul(o_.client));
            if (!(steps_ & p_nr_conn) && !expect_continue(r))
                return r;
        }
        if (!(steps_ & p_nohelo)) {
            c_.send('H', nul("client.example"));
            if (!(steps_ & p_nr_helo) && !expect_continue(r))
                return r;
        }
        if (!(steps_ & p_nomail)) {
            std::vector<std::pair<std::string, std::string>> mm { { "i", queue_id } };
            if (!o_.auth.empty()) {
                mm.emplace_back("{auth_authen}", o_.auth);
                mm.emplace_back("{auth_type}", "PLAIN");
            }
            macros('M', mm);
            c_.send('M', nul(o_.sender));
            if (!(steps_ & p_nr_mail) && !expect_continue(r))
                return r;
        }
        if (!(steps_ & p_norcpt)) {
            for (int i = 0; i < o_.recipients; ++i) {
                c_.send('R', nul("<rcpt" + std::to_string(i) + "@example.org>"));
                if (!(steps_ & p_nr_rcpt) && !expect_continue(r))
                    return r;
            }
        }
        if (!(steps_ & p_nodata)) {
            macros('T', { { "i", queue_id } });
            c_.send('T', "");
            if (!(steps_ & p_nr_data) && !expect_continue(r))
                return r;
        }
        if (!(steps_ & p_nohdrs)) {
            for (const auto& [name, value] : m.headers) {
                // Postfix drops the first space after the colon unless the
                // filter asked for SMFIP_HDR_LEADSPC.
                std::string v = value;
                if (!(steps_ & p_leadspc) && !v.empty() && v[0] == ' ')
                    v.erase(0, 1);
                c_.send('L', nul(name) + nul(v));
                if (!(steps_ & p_nr_hdr) && !expect_continue(r))
                    return r;
            }
        }
        if (!(steps_ & p_noeoh)) {
            macros('N', { { "i", queue_id } });
            c_.send('N', "");
            if (!(steps_ & p_nr_eoh) && !expect_continue(r))
                return r;
        }
        if (!(steps_ & p_nobody)) {
            for (std::size_t pos = 0; pos < m.body.size(); pos += chunk_size) {
                c_.send('B', m.body.substr(pos, chunk_size));
                if (!(steps_ & p_nr_body) && !expect_continue(r))
                    return r;
            }
        }
        macros('E', { { "i", queue_id } });
        c_.send('E', "");
        final_reply(r);
        return r;
    }

    void quit() { c_.send('Q', ""); }
    bool leading_space() const { return steps_ & p_leadspc; }

private:
    void macros(char stage, const std::vector<std::pair<std::string, std::string>>& mm)
    {
        std::string data(1, stage);
        for (const auto& [k, v] : mm)
            data += nul(k) + nul(v);
        c_.send('D', data);
    }

    // A reply to a stage before end of message: 'c' goes on, anything else ends it.
    bool expect_continue(Result& r)
    {
        auto [cmd, data] = c_.receive();
        if (cmd == 'c')
            return true;
        r.verdict = cmd;
        return false;
    }

    void final_reply(Result& r)
    {
        for (;;) {
            auto [cmd, data] = c_.receive();
            switch (cmd) {
            case 'i': { // insert header: index, name, value
                std::uint32_t idx = read_be32(data, 0);
                std::string rest = data.substr(4);
                std::string name = rest.substr(0, rest.find('\0'));
                std::string value = rest.substr(name.size() + 1);
                value = value.substr(0, value.find('\0'));
                idx = std::min<std::uint32_t>(idx, static_cast<std::uint32_t>(r.inserted.size()));
                r.inserted.insert(r.inserted.begin() + idx, { name, value });
                break;
            }
            case 'h': {
                std::string name = data.substr(0, data.find('\0'));
                std::string value = data.substr(name.size() + 1);
                r.added.emplace_back(name, value.substr(0, value.find('\0')));
                break;
            }
            case 'p':
                break; // progress
            case 'a':
            case 'c':
            case 'r':
            case 't':
            case 'd':
                r.verdict = cmd;
                return;
            case 'y': // SMFIR_REPLYCODE: the code says reject or tempfail
                r.verdict = !data.empty() && data[0] == '4' ? 't' : 'r';
                return;
            default:
                break; // other modifications are not needed here
            }
        }
    }

    const Options& o_;
    Connection c_;
    std::uint32_t steps_ = 0;
};

// The message as the next hop would receive it: inserted headers on top,
// added headers at the end of the header, every line ending CRLF.
std::string render(const Message& m, const Result& r, bool leading_space_negotiated)
{
    std::string out;
    auto field = [&](const std::string& name, const std::string& value, bool leading_space) {
        std::string line = name + ":" + (leading_space ? " " : "") + value;
        for (char c : line) {
            if (c == '\r')
                continue;
            if (c == '\n')
                out += "\r\n";
            else
                out += c;
        }
        out += "\r\n";
    };
    // As Postfix: with SMFIP_HDR_LEADSPC the filter supplies the space.
    for (const auto& [n, v] : r.inserted)
        field(n, v, !leading_space_negotiated);
    for (const auto& [n, v] : m.headers)
        field(n, v, false);
    for (const auto& [n, v] : r.added)
        field(n, v, !leading_space_negotiated);
    out += "\r\n";
    std::string body;
    for (std::size_t i = 0; i < m.body.size(); ++i) {
        char c = m.body[i];
        if (c == '\r') {
            body += "\r\n";
            if (i + 1 < m.body.size() && m.body[i + 1] == '\n')
                ++i;
        } else if (c == '\n') {
            body += "\r\n";
        } else {
            body += c;
        }
    }
    if (!body.empty() && body.compare(body.size() - 2, 2, "\r\n") != 0)
        body += "\r\n"; // SMTP ends the data with a line end
    return out + body;
}

struct Totals {
    std::atomic<long> started { 0 }, done { 0 }, accepted { 0 }, rejected { 0 }, tempfailed { 0 },
        signed_ { 0 }, errors { 0 };
    std::atomic<long> saved { 0 };
    std::mutex first_error_mutex;
    std::string first_error;
};

void worker(
    const Options& o, const Message& m, int id, Totals& t, std::chrono::steady_clock::time_point deadline)
{
    long n = 0;
    while (true) {
        try {
            Session s(o);
            for (int k = 0; k < o.per_connection; ++k) {
                if (o.seconds > 0 ? std::chrono::steady_clock::now() >= deadline : t.started++ >= o.count) {
                    s.quit();
                    return;
                }
                std::string qid = "Q" + std::to_string(id) + "X" + std::to_string(n++);
                Result r = s.send_message(m, qid, k == 0);
                ++t.done;
                if (r.verdict == 'r' || r.verdict == 'y')
                    ++t.rejected;
                else if (r.verdict == 't')
                    ++t.tempfailed;
                else
                    ++t.accepted;
                bool has_sig = false;
                for (const auto& h : r.inserted)
                    has_sig = has_sig || h.first == "DKIM-Signature";
                if (has_sig)
                    ++t.signed_;
                if (!o.out.empty() && t.done == 1) {
                    std::ofstream(o.out, std::ios::binary) << render(m, r, s.leading_space());
                }
                if (!o.save_dir.empty()) {
                    long slot = t.saved++;
                    if (slot < o.save)
                        std::ofstream(o.save_dir + "/" + std::to_string(slot) + ".eml", std::ios::binary)
                            << render(m, r, s.leading_space());
                }
            }
            s.quit();
        } catch (const std::exception& e) {
            ++t.errors;
            std::lock_guard lock(t.first_error_mutex);
            if (t.first_error.empty())
                t.first_error = e.what();
            if (t.errors > 100)
                return; // a broken filter: stop rather than spin
        }
    }
}

bool parse(int argc, char** argv, Options& o)
{
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--socket")
            o.socket = next();
        else if (a == "--message")
            o.message_file = next();
        else if (a == "--concurrency")
            o.concurrency = std::stoi(next());
        else if (a == "--seconds")
            o.seconds = std::stod(next());
        else if (a == "--count")
            o.count = std::stol(next());
        else if (a == "--per-connection")
            o.per_connection = std::stoi(next());
        else if (a == "--client")
            o.client = next();
        else if (a == "--daemon")
            o.daemon = next();
        else if (a == "--auth")
            o.auth = next();
        else if (a == "--out")
            o.out = next();
        else if (a == "--save-dir")
            o.save_dir = next();
        else if (a == "--save")
            o.save = std::stol(next());
        else if (a == "--recipients")
            o.recipients = std::stoi(next());
        else
            return false;
    }
    if (o.socket.empty() || o.message_file.empty() || o.concurrency < 1 || o.concurrency > 1024
        || o.per_connection < 1)
        return false;
    if (o.seconds <= 0 && o.count <= 0)
        o.count = 1;
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options o;
    try {
        if (!parse(argc, argv, o)) {
            std::fprintf(stderr,
                "usage: milter_bench --socket unix:PATH|inet:HOST:PORT --message FILE "
                "[--concurrency N] [--seconds S | --count N] [--per-connection N] "
                "[--client ADDR] [--daemon NAME] [--auth USER] [--out FILE] "
                "[--save-dir DIR --save N] [--recipients N]\n");
            return 2;
        }
        Message m = parse_message(slurp(o.message_file));
        Totals t;
        auto start = std::chrono::steady_clock::now();
        auto deadline = start
            + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(o.seconds));
        std::vector<std::thread> threads;
        for (int i = 0; i < o.concurrency; ++i)
            threads.emplace_back(worker, std::cref(o), std::cref(m), i, std::ref(t), deadline);
        for (auto& th : threads)
            th.join();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("messages=%ld seconds=%.3f rate=%.1f accepted=%ld rejected=%ld tempfailed=%ld signed=%ld "
                    "errors=%ld\n",
            t.done.load(), secs, t.done / secs, t.accepted.load(), t.rejected.load(), t.tempfailed.load(),
            t.signed_.load(), t.errors.load());
        if (t.errors > 0) {
            std::fprintf(
                stderr, "milter_bench: %ld errors, first: %s\n", t.errors.load(), t.first_error.c_str());
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "milter_bench: %s\n", e.what());
        return 1;
    }
}
