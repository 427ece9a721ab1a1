// Tests for store/sqlite_schema: a database written by an older release
// (schema version 1, frozen below as it shipped) upgrades with its rows kept.
#include "store/sqlite_handle.hh"
#include "store/sqlite_schema.hh"
#include "store/sqlite_store.hh"
#include "temp_dir.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <filesystem>

using namespace sendsentry;
using namespace sendsentry::store;

namespace {

// Version 1 exactly as released; never edit (it is what old files contain).
constexpr const char* schema_v1 = R"sql(
CREATE TABLE suppression (
    address    TEXT    NOT NULL COLLATE NOCASE,
    scope      TEXT    NOT NULL DEFAULT '',
    reason     TEXT    NOT NULL CHECK (reason IN
                   ('hard_bounce', 'complaint', 'soft_bounce', 'unsubscribe', 'manual')),
    source     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    hits       INTEGER NOT NULL DEFAULT 1,
    expires    INTEGER,
    note       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (address, scope)
) WITHOUT ROWID;
CREATE INDEX suppression_last_seen ON suppression (last_seen);
CREATE INDEX suppression_expires ON suppression (expires) WHERE expires IS NOT NULL;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    recipient   TEXT    NOT NULL DEFAULT '' COLLATE NOCASE,
    sender      TEXT    NOT NULL DEFAULT '',
    scope       TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL DEFAULT '',
    message_key TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_recipient ON events (recipient, kind, at);
)sql";

// Rows an old release wrote.
constexpr const char* rows_v1 = R"sql(
INSERT INTO suppression (address, scope, reason, source, detail, first_seen, last_seen, hits, expires, note)
    VALUES ('old@example.com', '', 'hard_bounce', 'bounce', '5.1.1', 100, 200, 2, NULL, 'from v1'),
           ('news@example.com', 'brand.example', 'unsubscribe', 'bounce', '', 100, 100, 1, NULL, '');
INSERT INTO events (at, kind, recipient, detail, source) VALUES (100, 'hard_bounce', 'old@example.com', '5.1.1', 'bounce');
PRAGMA user_version = 1;
)sql";

} // namespace

class SqliteSchemaTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SqliteSchemaTest);
    CPPUNIT_TEST(frozen_v1_matches_first_migration);
    CPPUNIT_TEST(version_1_file_upgrades_and_keeps_rows);
    CPPUNIT_TEST(migrating_twice_changes_nothing);
    CPPUNIT_TEST(migration_stops_at_target);
    CPPUNIT_TEST_SUITE_END();

public:
    void frozen_v1_matches_first_migration()
    {
        // If this fails, someone edited a released migration: add a new one.
        CPPUNIT_ASSERT_EQUAL(std::string(schema_v1), std::string(schema::migrations()[0]));
    }

    void version_1_file_upgrades_and_keeps_rows()
    {
        TempDir dir;
        const std::string path = dir.file("v1.db");
        {
            auto db = Database::open(path, true, false);
            CPPUNIT_ASSERT(db.ok());
            CPPUNIT_ASSERT(db->exec(schema_v1).ok());
            CPPUNIT_ASSERT(db->exec(rows_v1).ok());
        }
        OpenOptions o;
        o.path = path;
        auto store = SqliteStore::open(o);
        CPPUNIT_ASSERT_MESSAGE(store ? "" : store.error().message, store.ok());

        auto old = (*store)->find_suppression("old@example.com", "", 300);
        CPPUNIT_ASSERT(old.ok() && old->has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("from v1"), (*old)->note);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), (*old)->hits);
        auto scoped = (*store)->find_suppression("news@example.com", "brand.example", 300);
        CPPUNIT_ASSERT(scoped.ok() && scoped->has_value());
        auto events = (*store)->list_events({});
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), events->size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), events->front().count); // version 5's default

        // Tables of version 2 exist and work.
        auto fresh = (*store)->write_once(
            "key", 300, [](Transaction& tx) { return tx.add_counter("s", "sent", 0, 1); });
        CPPUNIT_ASSERT(fresh.ok() && *fresh);

        auto db = Database::open(path, false, true);
        CPPUNIT_ASSERT(db.ok());
        auto v = schema::user_version(*db);
        CPPUNIT_ASSERT(v.ok());
        CPPUNIT_ASSERT_EQUAL(schema::latest_version(), *v);
        // The table rebuilt by version 4 keeps its CHECK and its index.
        auto rw = Database::open(path, false, false);
        CPPUNIT_ASSERT(rw.ok());
        CPPUNIT_ASSERT(!rw->exec("INSERT INTO suppression (address, reason, first_seen, last_seen)"
                                 " VALUES ('x@example.com', 'bogus', 1, 1)")
                            .ok());
        CPPUNIT_ASSERT(rw->exec("INSERT INTO suppression (address, reason, first_seen, last_seen)"
                                " VALUES ('x@example.com', 'manual', 1, 1)")
                           .ok());
        auto index = rw->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'suppression_expires'");
        CPPUNIT_ASSERT(index.ok() && index->step().ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), index->column_int(0));
    }

    void migrating_twice_changes_nothing()
    {
        TempDir dir;
        auto db = Database::open(dir.file("s.db"), true, false);
        CPPUNIT_ASSERT(db.ok());
        CPPUNIT_ASSERT(schema::migrate(*db).ok());
        CPPUNIT_ASSERT(schema::migrate(*db).ok());
        auto v = schema::user_version(*db);
        CPPUNIT_ASSERT(v.ok());
        CPPUNIT_ASSERT_EQUAL(schema::latest_version(), *v);
    }

    void migration_stops_at_target()
    {
        TempDir dir;
        auto db = Database::open(dir.file("s.db"), true, false);
        CPPUNIT_ASSERT(db.ok());
        CPPUNIT_ASSERT(schema::migrate(*db, 1).ok());
        auto v = schema::user_version(*db);
        CPPUNIT_ASSERT(v.ok());
        CPPUNIT_ASSERT_EQUAL(1, *v);
        auto processed = db->prepare("SELECT count(*) FROM processed");
        CPPUNIT_ASSERT_MESSAGE("version 1 has no processed table", !processed.ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SqliteSchemaTest);
