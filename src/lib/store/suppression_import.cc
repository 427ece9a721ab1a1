// Bulk import: rows to entries, entries to the store in transactions.
#include "store/suppression_import.hh"

#include "store/suppression_rules.hh"

#include <algorithm>
#include <limits>
#include <vector>

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

    ImportReport with_growth(Store& store, std::int64_t before, ImportReport report)
    {
        if (auto after = count_all(store))
            report.grew = *after - before;
        return report;
    }

    // A chunk of entries and the order to write them in: the table's key
    // order, address COLLATE NOCASE (ASCII letters folded) then scope as
    // bytes, and the file's order among entries of one key.
    struct Chunk {
        std::vector<Suppression> entries;
        std::vector<std::pair<std::string, std::uint32_t>> order; // sort key, index in entries

        void clear()
        {
            entries.clear();
            order.clear();
        }
        void sort()
        {
            for (std::uint32_t i = 0; i < entries.size(); ++i) {
                std::string key = entries[i].address;
                for (char& c : key)
                    if (c >= 'A' && c <= 'Z')
                        c = static_cast<char>(c - 'A' + 'a');
                key += '\0'; // below any byte of an address: "a" < "ab"
                key += entries[i].scope;
                order.emplace_back(std::move(key), i);
            }
            std::sort(order.begin(), order.end());
        }
    };

    // Reads up to options.sort_rows good rows into CHUNK and sorts them,
    // reporting bad ones. Returns false when strict and a line was bad.
    bool read_chunk(format::RowReader& reader, const ImportDefaults& defaults, const ImportOptions& options,
        Time now, const BadLine& on_bad, Chunk& chunk, ImportReport& report, bool& at_end)
    {
        chunk.clear();
        // At least one row; at most what a 32-bit index reaches.
        const auto max = static_cast<std::size_t>(
            std::clamp<std::int64_t>(options.sort_rows, 1, std::numeric_limits<std::uint32_t>::max()));
        while (chunk.entries.size() < max) {
            auto row = reader.next();
            if (row && !*row) {
                at_end = true;
                break;
            }
            auto entry = row ? to_entry(**row, defaults, now) : Result<Suppression>(std::move(row).error());
            if (!entry) {
                ++report.bad;
                on_bad(reader.line(), entry.error());
                if (options.strict)
                    return false;
                continue;
            }
            chunk.entries.push_back(std::move(*entry));
        }
        chunk.sort();
        return true;
    }

    // Writes the entries of CHUNK at ORDER[FROM, FROM + COUNT).
    Status write_entries(Transaction& tx, const Chunk& chunk, std::size_t from, std::size_t count)
    {
        for (std::size_t i = from; i < from + count; ++i)
            if (auto s = import_entry(tx, chunk.entries[chunk.order[i].second]); !s)
                return s;
        return {};
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
    Chunk chunk;
    bool at_end = false;
    if (options.strict) {
        // One transaction over the whole file; a bad line rolls it back.
        Status w = store.write([&](Transaction& tx) -> Status {
            std::int64_t rows = 0;
            while (!at_end) {
                if (!read_chunk(reader, defaults, options, now, on_bad, chunk, total, at_end)) {
                    total.refused = true;
                    return make_error(ErrorKind::invalid, "bad line");
                }
                if (auto s = write_entries(tx, chunk, 0, chunk.order.size()); !s)
                    return s;
                rows += static_cast<std::int64_t>(chunk.order.size());
            }
            if (auto s = log_batch(tx, rows, defaults.source, now); !s)
                return s;
            total.written = rows;
            return {};
        });
        if (total.refused)
            return total;
        if (!w) {
            total.written = 0;
            total.error = std::move(w).error();
            total.error_line = reader.line();
            return total;
        }
    } else {
        const auto batch_rows = static_cast<std::size_t>(std::max<std::int64_t>(1, options.batch_rows));
        while (!at_end) {
            read_chunk(reader, defaults, options, now, on_bad, chunk, total, at_end);
            for (std::size_t from = 0; from < chunk.order.size(); from += batch_rows) {
                std::size_t count = std::min(batch_rows, chunk.order.size() - from);
                Status w = store.write([&](Transaction& tx) -> Status {
                    if (auto s = write_entries(tx, chunk, from, count); !s)
                        return s;
                    return log_batch(tx, static_cast<std::int64_t>(count), defaults.source, now);
                });
                if (!w) {
                    total.error = std::move(w).error();
                    total.error_line = reader.line();
                    return with_growth(store, *before, total);
                }
                total.written += static_cast<std::int64_t>(count);
            }
        }
    }
    return with_growth(store, *before, total);
}

} // namespace sendsentry::store
