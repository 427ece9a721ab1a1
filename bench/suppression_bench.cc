// Suppression-list benchmark at the size the foundation issue names: import
// 1,000,000 addresses through store::import_rows (the path of `sendsentry
// suppress import`), then time find_suppression (policyd's per-RCPT lookup)
// against that list, in process. Prints figures; asserts nothing.
//
//   bench/suppression_bench [ROWS [LOOKUPS [BATCH [DIR]]]]
//   (defaults 1000000 200000 10000 $TMPDIR; BATCH = rows per import transaction)
// The rows come in random order; import sorts them in chunks of
// ImportOptions::sort_rows (its default).
#include "store/sqlite_store.hh"
#include "store/suppression_format.hh"
#include "store/suppression_import.hh"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace sendsentry;
using Clock = std::chrono::steady_clock;

namespace {

// 1,000 recipient domains, as a real list spreads over many providers.
std::string address(std::int64_t i)
{
    return "user" + std::to_string(i) + "@d" + std::to_string(i % 1000) + ".example";
}

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// User + system CPU seconds of this process: on a shared machine the wall
// clock also counts other people's work.
double cpu_seconds()
{
    rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

struct Percentiles {
    double p50, p90, p99, p999, max;
};

Percentiles percentiles(std::vector<double>& us)
{
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[static_cast<std::size_t>(q * static_cast<double>(us.size() - 1))]; };
    return { at(0.50), at(0.90), at(0.99), at(0.999), us.back() };
}

// Times LOOKUPS lookups of addresses picked by PICK; returns microseconds each.
template <class Pick>
std::vector<double> time_lookups(store::Store& st, std::int64_t lookups, Pick pick, int& found)
{
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(lookups));
    found = 0;
    for (std::int64_t i = 0; i < lookups; ++i) {
        auto [addr, sender_domain] = pick(i);
        auto t0 = Clock::now();
        auto r = st.find_suppression(addr, sender_domain, 1800000000);
        auto t1 = Clock::now();
        if (!r) {
            std::fprintf(stderr, "lookup failed: %s\n", r.error().message.c_str());
            std::exit(1);
        }
        found += r->has_value() ? 1 : 0;
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    return us;
}

void print_line(const char* label, std::vector<double>& us, int found)
{
    Percentiles p = percentiles(us);
    std::printf("%-34s p50 %6.1f us  p90 %6.1f us  p99 %6.1f us  p99.9 %7.1f us  max %8.1f us  (found %d)\n",
        label, p.p50, p.p90, p.p99, p.p999, p.max, found);
}

} // namespace

int main(int argc, char** argv)
{
    const std::int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1000000;
    const std::int64_t lookups = argc > 2 ? std::atoll(argv[2]) : 200000;
    store::ImportOptions import_options;
    import_options.batch_rows = argc > 3 ? std::atoll(argv[3]) : import_options.batch_rows;
    std::filesystem::path base = argc > 4 ? argv[4] : std::filesystem::temp_directory_path();
    if (rows < 1 || lookups < 1 || import_options.batch_rows < 1) {
        std::fprintf(stderr, "usage: suppression_bench [ROWS [LOOKUPS [BATCH [DIR]]]]\n");
        return 2;
    }
    std::string tmpl = (base / "suppression_bench.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::filesystem::path dir = tmpl;
    const std::string path = (dir / "bench.db").string();

    // The input file, in memory (its making is not timed): our CSV with a
    // header, a tenth of the rows scoped to one of seven sender domains, in
    // random order as an export from another system comes.
    std::vector<std::int64_t> order(static_cast<std::size_t>(rows));
    for (std::int64_t i = 0; i < rows; ++i)
        order[static_cast<std::size_t>(i)] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
    std::string csv = "address,scope,reason\n";
    csv.reserve(static_cast<std::size_t>(rows) * 48);
    for (std::int64_t i : order)
        csv += address(i) + (i % 10 == 0 ? ",brand" + std::to_string(i % 7) + ".example" : ",")
            + ",hard_bounce\n";

    store::OpenOptions options;
    options.path = path;
    options.bulk = true; // as `sendsentry suppress import` opens it
    auto opened = store::SqliteStore::open(options);
    if (!opened) {
        std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
        return 1;
    }
    store::Store& st = **opened;

    std::istringstream in(std::move(csv));
    store::format::RowReader reader(in, store::format::InputFormat::csv);
    auto t0 = Clock::now();
    double cpu0 = cpu_seconds();
    auto report = store::import_rows(
        st, reader, {}, import_options, 1700000000, [](std::int64_t line, const Error& e) {
            std::fprintf(stderr, "line %lld: %s\n", static_cast<long long>(line), e.message.c_str());
        });
    double import_s = seconds_since(t0);
    double import_cpu = cpu_seconds() - cpu0;
    if (report.error || report.bad) {
        std::fprintf(stderr, "import failed (%lld bad lines)\n", static_cast<long long>(report.bad));
        return 1;
    }
    std::printf("import  %lld rows in %.2f s wall, %.2f s CPU (%.0f rows/s wall), %lld-row transactions\n",
        static_cast<long long>(report.written), import_s, import_cpu,
        static_cast<double>(report.written) / import_s, static_cast<long long>(import_options.batch_rows));
    std::error_code ec;
    std::printf("file    %.1f MB (+ WAL %.1f MB)\n",
        static_cast<double>(std::filesystem::file_size(path, ec)) / 1e6,
        static_cast<double>(std::filesystem::file_size(path + "-wal", ec)) / 1e6);

    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::int64_t> any(0, rows - 1);
    std::vector<std::int64_t> picks(static_cast<std::size_t>(lookups));
    for (auto& p : picks)
        p = any(rng);
    int found = 0;

    // Warm-up: the first pass reads the file into the page cache, as a
    // running policyd has long done.
    (void)time_lookups(
        st, std::min<std::int64_t>(lookups, 50000),
        [&](std::int64_t i) {
            return std::pair { address(picks[static_cast<std::size_t>(i)]), std::string("brand3.example") };
        },
        found);

    std::vector<std::string> listed(static_cast<std::size_t>(lookups)),
        absent(static_cast<std::size_t>(lookups));
    for (std::int64_t i = 0; i < lookups; ++i) {
        listed[static_cast<std::size_t>(i)] = address(picks[static_cast<std::size_t>(i)]);
        absent[static_cast<std::size_t>(i)]
            = "nobody" + std::to_string(picks[static_cast<std::size_t>(i)]) + "@d1.example";
    }
    const std::string sender = "brand3.example";
    auto us = time_lookups(
        st, lookups,
        [&](std::int64_t i) {
            return std::pair { listed[static_cast<std::size_t>(i)], sender };
        },
        found);
    std::printf("lookup  %lld lookups against %lld rows, in process, address and sender domain:\n",
        static_cast<long long>(lookups), static_cast<long long>(rows));
    print_line("  listed addresses (random)", us, found);
    us = time_lookups(
        st, lookups,
        [&](std::int64_t i) {
            return std::pair { absent[static_cast<std::size_t>(i)], sender };
        },
        found);
    print_line("  unlisted addresses (random)", us, found);

    std::filesystem::remove_all(dir, ec);
    return 0;
}
