// Move-only owners of the two SQLite handles (STYLE.md sections 3 and 7):
// Database owns sqlite3* (sqlite3_close_v2), Statement owns sqlite3_stmt*
// (sqlite3_finalize). Every SQLite result code is checked here and turned
// into an Error whose kind tells "could not tell" (busy, locked, full) from
// "damaged" (corrupt) and from a programming error. Used by sqlite_store.
#pragma once

#include "core/result.hh"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sendsentry::store {

// Maps an SQLite (extended) result code to an ErrorKind:
// BUSY, LOCKED, FULL, NOMEM, IOERR, PROTOCOL -> temporary (retry later);
// CORRUPT, NOTADB -> corrupt; CANTOPEN, PERM, READONLY, AUTH -> io;
// everything else -> internal.
ErrorKind classify_sqlite_error(int code) noexcept;

class Statement;

class Database {
public:
    Database() = default;
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Opens (and with CREATE, creates) PATH in serialized-off, no-mutex mode:
    // one Database belongs to one thread at a time.
    [[nodiscard]] static Result<Database> open(const std::string& path, bool create, bool read_only);

    sqlite3* get() const noexcept { return db_; }
    explicit operator bool() const noexcept { return db_ != nullptr; }

    // Runs SQL text that binds nothing (schema, pragmas, BEGIN/COMMIT).
    [[nodiscard]] Status exec(std::string_view sql);
    [[nodiscard]] Result<Statement> prepare(std::string_view sql);
    [[nodiscard]] Status set_busy_timeout(std::int64_t milliseconds);

    // An Error for CODE naming WHAT, with sqlite3_errmsg() of this connection.
    Error error(int code, std::string_view what) const;

    std::int64_t changes() const noexcept;
    std::int64_t last_insert_rowid() const noexcept;

private:
    explicit Database(sqlite3* db) noexcept
        : db_(db)
    {
    }
    sqlite3* db_ = nullptr;
};

// One prepared statement. Bind indexes start at 1 (SQLite convention); column
// indexes start at 0. After step() returned no row or an error, call reset()
// (or let the next use do it) before binding again.
// Text bound without SQLite's copy (SQLITE_STATIC): it must stay valid until
// the statement is reset and its bindings cleared, which run(), reset() and
// StatementReset do. For the per-row and per-request statements.
struct Borrowed {
    std::string_view text;
};

class Statement {
public:
    Statement() = default;
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3_stmt* get() const noexcept { return stmt_; }

    [[nodiscard]] Status bind(int index, std::int64_t value);
    [[nodiscard]] Status bind(int index, std::string_view text);
    [[nodiscard]] Status bind(int index, Borrowed text);
    [[nodiscard]] Status bind(int index, double value);
    [[nodiscard]] Status bind_blob(int index, std::string_view bytes);
    [[nodiscard]] Status bind_null(int index);
    // NULL when VALUE is empty.
    [[nodiscard]] Status bind(int index, const std::optional<std::int64_t>& value);

    // true: a row is ready; false: done.
    [[nodiscard]] Result<bool> step();
    // Steps a statement that returns no row (INSERT/UPDATE/DELETE), then resets it.
    [[nodiscard]] Status run();
    // Resets the statement and clears its bindings so it can be used again.
    [[nodiscard]] Status reset();

    std::int64_t column_int(int column) const noexcept;
    double column_double(int column) const noexcept;
    std::string column_text(int column) const;
    bool column_is_null(int column) const noexcept;
    std::optional<std::int64_t> column_optional_int(int column) const noexcept;

private:
    friend class Database;
    Statement(sqlite3_stmt* stmt, sqlite3* db) noexcept
        : stmt_(stmt)
        , db_(db)
    {
    }
    Status check_bind(int code, int index);
    // COPY: SQLite copies TEXT; else it must outlive the binding (Borrowed).
    Status bind_text(int index, std::string_view text, bool copy);

    sqlite3_stmt* stmt_ = nullptr;
    sqlite3* db_ = nullptr; // not owned: for error messages
};

// Resets a statement when it goes out of scope, so an early return between
// step() and the end of the rows never leaves a read transaction open.
class StatementReset {
public:
    explicit StatementReset(Statement& s) noexcept
        : s_(s)
    {
    }
    ~StatementReset();
    StatementReset(const StatementReset&) = delete;
    StatementReset& operator=(const StatementReset&) = delete;

private:
    Statement& s_;
};

} // namespace sendsentry::store
