// Bulk import: rows to entries, entries to the store in transactions.
#include "store/suppression_import.hh"

#include "store/suppression_rules.hh"

#include <algorithm>

namespace sendsentry::store {

Result<Suppression> to_entry(const format::Row& row, const ImportDefaults& d, Time now)
{
    auto key = make_key(row.address, row.scope ? std::string_view(*row.scope) : std::string_view(d.scope));
    if (!key)
        return std::move(key).error();
    Reason reason = d.reason;
    if (row.reason) {
        auto r = parse_reason(*row.reason);
        if (!r)
            return std::move(r).error();
        reason = *r;
    }
    Suppression e;
    e.address = std::move(key->address);
    e.scope = std::move(key->scope);
    e.reason = reason;
    e.source = row.source.value_or(d.source);
    e.detail = row.detail.value_or("");
    e.last_seen = row.last_seen.value_or(now);
    e.first_seen = std::min(row.first_seen.value_or(e.last_seen), e.last_seen);
    e.hits = row.hits.value_or(1);
    e.expires = row.expires ? *row.expires : d.expires;
    e.note = row.note.value_or(d.note);
    return e;
}

namespace {

    Status log_batch(Transaction& tx, std::int64_t rows, const std::string& source, Time now)
    {
        if (rows == 0)
            return {};
        Event ev;
        ev.at = now;
        ev.kind = EventKind::suppression_imported;
        ev.detail = std::to_string(rows) + " entries";
        ev.source = source;
        auto id = tx.add_event(ev);
        return id ? Status() : Status(std::move(id).error());
    }

    Result<std::int64_t> count_all(Store& store)
    {
        SuppressionFilter all;
        all.include_expired = true;
        return store.count_suppressions(all);
    }

} // namespace

ImportReport import_rows(Store& store, format::RowReader& reader, const ImportDefaults& defaults,
    const ImportOptions& options, Time now, const BadLine& on_bad)
{
    ImportReport total;
    auto before = count_all(store);
    if (!before) {
        total.error = std::move(before).error();
        return total;
    }
    bool at_end = false;
    while (!at_end) {
        std::int64_t rows = 0, bad = 0;
        bool refused = false;
        Status w = store.write([&](Transaction& tx) -> Status {
            rows = bad = 0;
            while (options.strict || rows < options.batch_rows) {
                auto row = reader.next();
                if (row && !*row) {
                    at_end = true;
                    break;
                }
                auto entry
                    = row ? to_entry(**row, defaults, now) : Result<Suppression>(std::move(row).error());
                if (!entry) {
                    ++bad;
                    on_bad(reader.line(), entry.error());
                    if (options.strict) {
                        refused = true;
                        return make_error(ErrorKind::invalid, "bad line");
                    }
                    continue;
                }
                if (auto s = import_entry(tx, *entry); !s)
                    return s;
                ++rows;
            }
            return log_batch(tx, rows, defaults.source, now);
        });
        total.bad += bad;
        if (refused) {
            total.refused = true;
            return total;
        }
        if (!w) {
            total.error = std::move(w).error();
            total.error_line = reader.line();
            break;
        }
        total.written += rows;
    }
    if (auto after = count_all(store))
        total.grew = *after - *before;
    return total;
}

} // namespace sendsentry::store
