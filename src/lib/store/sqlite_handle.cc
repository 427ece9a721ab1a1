// The SQLite handle owners: open/close, prepare/finalize, bind/step/reset,
// each result code checked and classified.
#include "store/sqlite_handle.hh"

#include <climits>
#include <sqlite3.h>
#include <utility>

namespace sendsentry::store {

ErrorKind classify_sqlite_error(int code) noexcept
{
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
    case SQLITE_INTERRUPT:
        return ErrorKind::temporary;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ErrorKind::corrupt;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return ErrorKind::io;
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
        return ErrorKind::invalid;
    default:
        return ErrorKind::internal;
    }
}

namespace {

    Error make_sqlite_error(int code, std::string_view what, sqlite3* db)
    {
        std::string message(what);
        message += ": ";
        // sqlite3_errmsg describes the last failure of this connection, which
        // is CODE when called right after it; errstr is the fallback.
        message += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
        return make_error(classify_sqlite_error(code), std::move(message));
    }

    int checked_length(std::string_view s)
    {
        // SQLite lengths are int; SQLITE_MAX_LENGTH is 1e9, so this only
        // refuses what SQLite would refuse anyway.
        return s.size() > static_cast<std::size_t>(INT_MAX) ? -2 : static_cast<int>(s.size());
    }

} // namespace

// ---- Database

Database::~Database()
{
    // close_v2 defers the close until every statement is finalized; our
    // statements are members destroyed before the Database, so it closes now.
    if (db_)
        sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr))
{
}

Database& Database::operator=(Database&& other) noexcept
{
    if (this != &other) {
        if (db_)
            sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

Result<Database> Database::open(const std::string& path, bool create, bool read_only)
{
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !read_only)
        flags |= SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db(raw); // owns RAW even when the open failed (sqlite3_open_v2 contract)
    if (rc != SQLITE_OK)
        return make_sqlite_error(rc, "cannot open " + path, raw);
    return db;
}

Status Database::exec(std::string_view sql)
{
    // Copy into a string: sqlite3_exec wants NUL-terminated text.
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    std::string reason = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    if (rc != SQLITE_OK)
        return make_error(classify_sqlite_error(rc), reason + " (in: " + text.substr(0, 60) + ")");
    return {};
}

Result<Statement> Database::prepare(std::string_view sql)
{
    sqlite3_stmt* raw = nullptr;
    int rc
        = sqlite3_prepare_v3(db_, sql.data(), checked_length(sql), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    Statement stmt(raw, db_);
    if (rc != SQLITE_OK)
        return make_sqlite_error(rc, "prepare \"" + std::string(sql.substr(0, 60)) + "\"", db_);
    if (!raw)
        return make_error(ErrorKind::internal, "prepare: empty statement");
    return stmt;
}

Status Database::set_busy_timeout(std::int64_t milliseconds)
{
    int ms = milliseconds > INT_MAX ? INT_MAX : static_cast<int>(milliseconds);
    int rc = sqlite3_busy_timeout(db_, ms);
    if (rc != SQLITE_OK)
        return make_sqlite_error(rc, "busy timeout", db_);
    return {};
}

Error Database::error(int code, std::string_view what) const { return make_sqlite_error(code, what, db_); }

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }

std::int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

// ---- Statement

Statement::~Statement()
{
    // finalize returns the error of the last step, which was already reported.
    if (stmt_)
        sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr))
    , db_(std::exchange(other.db_, nullptr))
{
}

Statement& Statement::operator=(Statement&& other) noexcept
{
    if (this != &other) {
        if (stmt_)
            sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

Status Statement::check_bind(int code, int index)
{
    if (code == SQLITE_OK)
        return {};
    // SQLITE_RANGE means the SQL text and the code disagree: a programming
    // error, reported as internal by classify_sqlite_error.
    return make_sqlite_error(code, "bind parameter " + std::to_string(index), db_);
}

Status Statement::bind(int index, std::int64_t value)
{
    return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

namespace {

    // An empty view may have a null data(); SQLite would store NULL for that.
    const char* nonnull_data(std::string_view bytes) { return bytes.data() ? bytes.data() : ""; }

} // namespace

Status Statement::bind_text(int index, std::string_view text, bool copy)
{
    int n = checked_length(text);
    if (n < 0)
        return make_error(ErrorKind::invalid, "text too long to store");
    return check_bind(
        sqlite3_bind_text(stmt_, index, nonnull_data(text), n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
        index);
}

Status Statement::bind(int index, std::string_view text) { return bind_text(index, text, true); }

Status Statement::bind(int index, Borrowed text) { return bind_text(index, text.text, false); }

Status Statement::bind(int index, double value)
{
    return check_bind(sqlite3_bind_double(stmt_, index, value), index);
}

Status Statement::bind_blob(int index, std::string_view bytes)
{
    int n = checked_length(bytes);
    if (n < 0)
        return make_error(ErrorKind::invalid, "blob too long to store");
    return check_bind(sqlite3_bind_blob(stmt_, index, nonnull_data(bytes), n, SQLITE_TRANSIENT), index);
}

Status Statement::bind_null(int index) { return check_bind(sqlite3_bind_null(stmt_, index), index); }

Status Statement::bind(int index, const std::optional<std::int64_t>& value)
{
    return value ? bind(index, *value) : bind_null(index);
}

Result<bool> Statement::step()
{
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return make_sqlite_error(rc, "step", db_);
}

Status Statement::run()
{
    auto r = step();
    Status reset_status = reset();
    if (!r)
        return std::move(r).error();
    if (r.value())
        return make_error(ErrorKind::internal, "statement returned a row where none was expected");
    return reset_status;
}

Status Statement::reset()
{
    // sqlite3_reset repeats the error of the last step; that one is reported
    // by step(), so only clear_bindings' result is checked here.
    sqlite3_reset(stmt_);
    int rc = sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_OK)
        return make_sqlite_error(rc, "clear bindings", db_);
    return {};
}

std::int64_t Statement::column_int(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }

double Statement::column_double(int column) const noexcept { return sqlite3_column_double(stmt_, column); }

std::string Statement::column_text(int column) const
{
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

bool Statement::column_is_null(int column) const noexcept
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::column_optional_int(int column) const noexcept
{
    if (column_is_null(column))
        return std::nullopt;
    return column_int(column);
}

StatementReset::~StatementReset()
{
    // The step error, if any, was already returned to the caller. Bindings
    // are cleared too: a Borrowed text may die right after this.
    sqlite3_reset(s_.get());
    sqlite3_clear_bindings(s_.get());
}

} // namespace sendsentry::store
