// Maildir (new/, cur/), plain directories and mboxrd files; the messages of
// an mbox are split on "From " lines and ">From " is unquoted.
#include "batch.hh"

#include "core/log.hh"
#include "json_output.hh"
#include "mail/bounce_parser.hh"
#include "message_input.hh"
#include "recorder.hh"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sysexits.h>
#include <unistd.h>
#include <vector>

namespace sendsentry::bounce {
namespace {

    namespace fs = std::filesystem;

    bool read_file(const fs::path& p, std::string& out)
    {
        std::ifstream in(p, std::ios::binary);
        if (!in)
            return false;
        out.clear();
        char buf[64 * 1024];
        while (in.read(buf, sizeof buf) || in.gcount() > 0) {
            std::size_t n = static_cast<std::size_t>(in.gcount());
            if (out.size() < max_message_bytes)
                out.append(buf, std::min(n, max_message_bytes - out.size()));
        }
        return true;
    }

    std::vector<fs::path> message_files(const fs::path& dir)
    {
        std::vector<fs::path> files;
        std::error_code ec;
        std::vector<fs::path> dirs;
        if (fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec))
            dirs = { dir / "new", dir / "cur" };
        else
            dirs = { dir };
        for (const fs::path& d : dirs) {
            std::vector<fs::path> here;
            for (auto it = fs::directory_iterator(d, ec); !ec && it != fs::directory_iterator();
                 it.increment(ec))
                if (it->is_regular_file(ec) && it->path().filename().string()[0] != '.')
                    here.push_back(it->path());
            std::sort(here.begin(), here.end());
            files.insert(files.end(), here.begin(), here.end());
        }
        return files;
    }

    bool each_mbox_message(
        const fs::path& p, const std::function<bool(std::string_view, std::string_view)>& visit)
    {
        std::ifstream in(p, std::ios::binary);
        if (!in)
            return false;
        std::string line;
        std::string current;
        std::size_t index = 0;
        bool started = false;
        auto flush = [&]() -> bool {
            if (!started)
                return true;
            ++index;
            return visit(p.string() + "#" + std::to_string(index), current);
        };
        while (std::getline(in, line)) {
            if (line.starts_with("From ")) {
                if (!flush())
                    return true;
                current.clear();
                started = true;
                continue;
            }
            if (!started)
                continue;
            // mboxrd: one ">" was added before any ">*From " line.
            std::size_t q = 0;
            while (q < line.size() && line[q] == '>')
                ++q;
            if (q > 0 && line.compare(q, 5, "From ") == 0)
                line.erase(0, 1);
            if (current.size() < max_message_bytes) {
                current += line;
                current += '\n';
            }
        }
        flush();
        return true;
    }

} // namespace

bool each_message(const std::string& path,
    const std::function<bool(std::string_view, std::string_view)>& visit, std::string& error)
{
    std::error_code ec;
    fs::path p(path);
    if (fs::is_directory(p, ec)) {
        std::string text;
        for (const fs::path& f : message_files(p)) {
            if (!read_file(f, text))
                continue;
            if (!visit(f.string(), text))
                break;
        }
        return true;
    }
    if (!each_mbox_message(p, visit)) {
        error = path + ": cannot read";
        return false;
    }
    return true;
}

int run_batch(const std::string& path, const config::Config& cfg, bool dry_run, bool json)
{
    bool progress = isatty(STDERR_FILENO);
    std::size_t messages = 0, failures = 0, deferred = 0;
    int rc = EX_OK;
    std::string error;
    std::unique_ptr<Recorder> recorder;
    if (!dry_run) {
        recorder = Recorder::open(cfg);
        if (!recorder)
            return EX_TEMPFAIL;
    }
    bool ok = each_message(
        path,
        [&](std::string_view name, std::string_view text) {
            mail::BounceReport report = mail::parse_bounce(text);
            ++messages;
            failures += report.failures.size();
            if (dry_run) {
                for (const mail::Failure& f : report.failures) {
                    if (json)
                        std::cout << failure_json(f, report) << '\n';
                    else
                        std::cout << name << ' ' << f.recipient << ' ' << f.status << ' ' << f.reason << '\n';
                }
            } else {
                Message m;
                m.text.assign(text);
                m.size = text.size();
                if (recorder->record({}, m, report) != EX_OK)
                    ++deferred;
            }
            if (progress && messages % 100 == 0)
                std::fprintf(stderr, "\r%zu messages, %zu failed recipients", messages, failures);
            return true;
        },
        error);
    if (progress)
        std::fprintf(stderr, "\r%zu messages, %zu failed recipients%s\n", messages, failures,
            deferred ? (", " + std::to_string(deferred) + " not stored").c_str() : "");
    if (!ok) {
        std::cerr << "sendsentry-bounce: " << error << '\n';
        return EX_NOINPUT;
    }
    if (deferred)
        rc = EX_TEMPFAIL;
    return rc;
}

} // namespace sendsentry::bounce
