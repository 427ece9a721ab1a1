// Suppression-list files: reading CSV (ours with a header, or Amazon SES's
// headerless "address,REASON" bulk-import form) and JSON Lines (ours or SES's
// {"emailAddress", "reason"}), writing CSV, JSON Lines and the SES form, and
// the time text they carry. Used by `sendsentry suppress import|export|list`.
#pragma once

#include "store/store.hh"
#include "store/time_format.hh"

#include <istream>
#include <optional>
#include <string>
#include <string_view>

namespace sendsentry::store::format {

// A record longer than this is a broken file, not an address (RFC 5321 caps a
// path at 256 octets; notes and details make up the rest).
inline constexpr std::size_t max_record_bytes = 64 * 1024;

// One record as read, before normalisation. Absent columns stay empty so
// that the importer's defaults (--reason, --scope, --expires) can apply.
struct Row {
    std::string address;
    std::optional<std::string> scope, reason, source, detail, note;
    std::optional<Time> first_seen, last_seen;
    std::optional<std::int64_t> hits;
    // Absent: use the default; present and empty (nullopt inside): forever.
    std::optional<std::optional<Time>> expires;
};

enum class InputFormat { automatic, csv, jsonl };
[[nodiscard]] Result<InputFormat> parse_input_format(std::string_view text);

// Reads records one at a time. A bad record is returned as an error naming
// its line; the reader has then moved past it, so the caller may go on.
class RowReader {
public:
    RowReader(std::istream& in, InputFormat format);

    // A row, std::nullopt at end of input, or an error for one bad record.
    [[nodiscard]] Result<std::optional<Row>> next();
    // First line of the record last returned (1-based).
    std::int64_t line() const noexcept { return record_line_; }

private:
    Result<std::optional<Row>> next_csv();
    Result<std::optional<Row>> next_jsonl();
    // One CSV record (RFC 4180: quoted fields may hold commas, quotes, newlines).
    Result<std::optional<std::vector<std::string>>> read_csv_record();
    bool read_line(std::string& line);

    std::istream& in_;
    InputFormat format_;
    std::int64_t line_ = 0;
    std::int64_t record_line_ = 0;
    bool header_seen_ = false;
    std::vector<int> columns_; // CSV column index -> field id (see .cc)
};

enum class OutputFormat { csv, jsonl, ses };
[[nodiscard]] Result<OutputFormat> parse_output_format(std::string_view text);

// Our CSV: the header, then one line per entry (RFC 4180 quoting, CRLF-free).
std::string csv_header();
std::string to_csv(const Suppression& entry);
// One JSON object on one line, no newline.
std::string to_json(const Suppression& entry);
// SES bulk-import line "address,BOUNCE|COMPLAINT"; std::nullopt for entries
// SES cannot hold (scoped to a sender domain: SES lists are account-wide).
std::optional<std::string> to_ses_csv(const Suppression& entry);
// hard_bounce, soft_bounce -> BOUNCE; complaint, unsubscribe, manual -> COMPLAINT.
std::string_view ses_reason(Reason reason) noexcept;

} // namespace sendsentry::store::format
