// OpenDKIM flat-file data sets: prefixes, comments, "key value" lines.
#include "dkim/table_file.hh"

#include "core/trim.hh"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace sendsentry::dkim {
namespace {

    constexpr const char* blanks = " \t\r\f\v";

    bool starts_with(std::string_view s, std::string_view prefix)
    {
        return s.substr(0, prefix.size()) == prefix;
    }

} // namespace

Result<Dataset> parse_dataset(std::string_view spec)
{
    spec = trim(spec, blanks);
    if (spec.empty())
        return make_error(ErrorKind::invalid, "empty data set name");
    if (starts_with(spec, "refile:"))
        return Dataset { DatasetKind::refile, std::string(spec.substr(7)) };
    if (starts_with(spec, "file:"))
        return Dataset { DatasetKind::file, std::string(spec.substr(5)) };
    if (spec.front() == '/' || starts_with(spec, "./") || starts_with(spec, "../"))
        return Dataset { DatasetKind::file, std::string(spec) };
    auto colon = spec.find(':');
    if (colon != std::string_view::npos)
        return make_error(ErrorKind::invalid,
            "data set type \"" + std::string(spec.substr(0, colon))
                + ":\" is not supported; use a flat file (file:PATH or refile:PATH)");
    return make_error(ErrorKind::invalid, "expected file:PATH, refile:PATH or an absolute path");
}

Result<std::vector<TableLine>> parse_table(std::string_view text, std::string_view file)
{
    std::vector<TableLine> lines;
    std::string problems;
    auto problem = [&](int line, const std::string& what) {
        problems
            += (problems.empty() ? "" : "\n") + std::string(file) + ":" + std::to_string(line) + ": " + what;
    };
    if (text.find('\0') != std::string_view::npos)
        return make_error(ErrorKind::invalid, std::string(file) + ": contains a NUL byte; not a text file");
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (raw.size() > max_table_line) {
            problem(line_no, "line longer than " + std::to_string(max_table_line) + " bytes");
            continue;
        }
        // As in OpenDKIM's flat files, "#" starts a comment anywhere on a line.
        std::string_view line = trim(raw.substr(0, raw.find('#')), blanks);
        if (line.empty())
            continue;
        auto gap = line.find_first_of(blanks);
        if (gap == std::string_view::npos) {
            problem(line_no, "expected \"KEY VALUE\", found only \"" + std::string(line) + "\"");
            continue;
        }
        if (lines.size() == max_table_entries) {
            problem(line_no, "more than " + std::to_string(max_table_entries) + " entries");
            break;
        }
        lines.push_back(TableLine { Origin { std::string(file), line_no }, std::string(line.substr(0, gap)),
            std::string(trim(line.substr(gap), blanks)) });
    }
    if (!problems.empty())
        return make_error(ErrorKind::invalid, problems);
    return lines;
}

Result<std::string> read_table_file(const std::string& path)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return make_error(ErrorKind::invalid, path + ": not a regular file");
    if (static_cast<std::size_t>(st.st_size) > max_table_bytes)
        return make_error(
            ErrorKind::invalid, path + ": larger than " + std::to_string(max_table_bytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error(ErrorKind::io, path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace sendsentry::dkim
