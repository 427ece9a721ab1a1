// Tests for store/sqlite_handle: result codes map to the right error kind,
// and misuse (a bad parameter index, bad SQL) is an error value, not a crash.
#include "store/sqlite_handle.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <sqlite3.h>

using namespace sendsentry;
using namespace sendsentry::store;

class SqliteHandleTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SqliteHandleTest);
    CPPUNIT_TEST(result_codes_map_to_error_kinds);
    CPPUNIT_TEST(misuse_is_an_error_value);
    CPPUNIT_TEST(statement_is_reusable_after_reset);
    CPPUNIT_TEST_SUITE_END();

public:
    void result_codes_map_to_error_kinds()
    {
        struct Case {
            const char* label;
            int code;
            ErrorKind kind;
        };
        const Case cases[] = {
            { "busy", SQLITE_BUSY, ErrorKind::temporary },
            { "busy snapshot (extended)", SQLITE_BUSY_SNAPSHOT, ErrorKind::temporary },
            { "locked", SQLITE_LOCKED, ErrorKind::temporary },
            { "disk full", SQLITE_FULL, ErrorKind::temporary },
            { "I/O error (extended)", SQLITE_IOERR_FSYNC, ErrorKind::temporary },
            { "corrupt", SQLITE_CORRUPT, ErrorKind::corrupt },
            { "not a database", SQLITE_NOTADB, ErrorKind::corrupt },
            { "cannot open", SQLITE_CANTOPEN, ErrorKind::io },
            { "read-only", SQLITE_READONLY, ErrorKind::io },
            { "constraint", SQLITE_CONSTRAINT_CHECK, ErrorKind::invalid },
            { "range (programming error)", SQLITE_RANGE, ErrorKind::internal },
            { "misuse", SQLITE_MISUSE, ErrorKind::internal },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(to_string(c.kind)),
                std::string(to_string(classify_sqlite_error(c.code))));
    }

    void misuse_is_an_error_value()
    {
        auto db = Database::open(":memory:", true, false);
        CPPUNIT_ASSERT(db.ok());
        auto bad_sql = db->prepare("SELEKT 1");
        CPPUNIT_ASSERT(!bad_sql.ok());
        auto stmt = db->prepare("SELECT ?1");
        CPPUNIT_ASSERT(stmt.ok());
        Status s = stmt->bind(2, std::int64_t(1));
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT(s.error().kind == ErrorKind::internal);
        CPPUNIT_ASSERT(db->exec("CREATE TABLE t (x INTEGER NOT NULL)").ok());
        auto insert = db->prepare("INSERT INTO t (x) VALUES (?1)");
        CPPUNIT_ASSERT(insert.ok());
        CPPUNIT_ASSERT(insert->bind_null(1).ok());
        Status r = insert->run();
        CPPUNIT_ASSERT(!r.ok());
        CPPUNIT_ASSERT(r.error().kind == ErrorKind::invalid);
    }

    void statement_is_reusable_after_reset()
    {
        auto db = Database::open(":memory:", true, false);
        CPPUNIT_ASSERT(db.ok());
        auto stmt = db->prepare("SELECT ?1 || 'x'");
        CPPUNIT_ASSERT(stmt.ok());
        for (const char* v : { "a", "b" }) {
            CPPUNIT_ASSERT(stmt->bind(1, std::string_view(v)).ok());
            auto row = stmt->step();
            CPPUNIT_ASSERT(row.ok() && *row);
            CPPUNIT_ASSERT_EQUAL(std::string(v) + "x", stmt->column_text(0));
            CPPUNIT_ASSERT(stmt->reset().ok());
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SqliteHandleTest);
