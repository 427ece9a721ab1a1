// Bulk import of suppression rows read by format::RowReader: defaults for
// missing columns, per-line error reports, batched or all-or-nothing
// transactions. Used by `sendsentry suppress import` and bench/suppression_bench.
#pragma once

#include "store/store.hh"
#include "store/suppression_format.hh"

#include <functional>
#include <optional>
#include <string>

namespace sendsentry::store {

// Values for rows whose file lacks the column.
struct ImportDefaults {
    Reason reason = Reason::manual;
    std::string scope; // normalised ("" = global)
    std::optional<Time> expires; // none = forever
    std::string note;
    std::string source = "import";
};

struct ImportOptions {
    // Strict: one transaction; the first bad line refuses the whole file.
    bool strict = false;
    // Otherwise rows per transaction: the daemons wait at most one batch for
    // the write lock (well under the default 5 s busy timeout).
    std::int64_t batch_rows = 10000;
    // Rows read and sorted into the table's key order before they are
    // written: a file in random order (an export) otherwise scatters every
    // transaction over the whole table, and a 1,000,000-row import spends
    // 35 s instead of 8-9 writing pages. Bounds the memory held (~300 bytes
    // a row: 150 MB). Rows of one address and scope keep the file's order,
    // so the last one in the file still wins.
    std::int64_t sort_rows = 500000;
};

struct ImportReport {
    std::int64_t written = 0; // entries written (new or replacing one)
    // How much the list grew: new entries, give or take what other writers
    // (the bounce program) added meanwhile. Counted before and after rather
    // than per row, which would cost a lookup per row.
    std::int64_t grew = 0;
    std::int64_t bad = 0;
    bool refused = false; // strict and a bad line: nothing was written
    // The store failed: WRITTEN entries were committed, from the lines read
    // up to ERROR_LINE (in key order, so not simply the first ones). Lines
    // after it were not read. Importing the whole file again is safe: an
    // entry imported twice is the same entry.
    std::optional<Error> error;
    std::int64_t error_line = 0;
};

// Called for each bad line with its (first) line number and the reason.
using BadLine = std::function<void(std::int64_t line, const Error& error)>;

// The entry ROW describes, with DEFAULTS for what it lacks.
[[nodiscard]] Result<Suppression> to_entry(const format::Row& row, const ImportDefaults& defaults, Time now);

// Each committed batch logs one suppression_imported event ("N entries",
// source = defaults.source), not one per row: a million
// audit rows would double the import's time and the log's size, while each
// entry already carries its source and last_seen.
ImportReport import_rows(Store& store, format::RowReader& reader, const ImportDefaults& defaults,
    const ImportOptions& options, Time now, const BadLine& on_bad);

} // namespace sendsentry::store
