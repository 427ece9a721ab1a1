// Tests for dkim/table_file: data-set names and OpenDKIM flat-file lines.
#include "dkim/table_file.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class TableFileTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TableFileTest);
    CPPUNIT_TEST(dataset_names_select_file_or_refile);
    CPPUNIT_TEST(unsupported_dataset_types_are_refused_by_name);
    CPPUNIT_TEST(comments_and_blank_lines_are_skipped);
    CPPUNIT_TEST(broken_lines_are_all_reported_with_file_and_line);
    CPPUNIT_TEST_SUITE_END();

public:
    void dataset_names_select_file_or_refile()
    {
        struct Case {
            const char* label;
            const char* spec;
            DatasetKind kind;
            const char* path;
        };
        const Case cases[] = {
            { "plain path", "/etc/dkim/keytable", DatasetKind::file, "/etc/dkim/keytable" },
            { "file prefix", "file:/etc/dkim/keytable", DatasetKind::file, "/etc/dkim/keytable" },
            { "refile prefix", "refile:/etc/dkim/signingtable", DatasetKind::refile,
                "/etc/dkim/signingtable" },
            { "relative", "./keytable", DatasetKind::file, "./keytable" },
        };
        for (const Case& c : cases) {
            auto d = parse_dataset(c.spec);
            CPPUNIT_ASSERT_MESSAGE(c.label, d.ok());
            CPPUNIT_ASSERT_MESSAGE(c.label, d->kind == c.kind);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.path), d->path);
        }
    }

    void unsupported_dataset_types_are_refused_by_name()
    {
        for (const char* spec : { "db:/etc/x.db", "dsn:mysql://u@h/db", "ldap://h/dc=x", "keytable", "" }) {
            auto d = parse_dataset(spec);
            CPPUNIT_ASSERT_MESSAGE(spec, !d.ok());
        }
        CPPUNIT_ASSERT(parse_dataset("db:/etc/x.db").error().message.find("\"db:\"") != std::string::npos);
    }

    void comments_and_blank_lines_are_skipped()
    {
        auto t = parse_table("# a comment\n\n  key1   value one  # trailing\r\nkey2\tv2\n", "T");
        CPPUNIT_ASSERT(t.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 2 }, t->size());
        CPPUNIT_ASSERT_EQUAL(std::string("key1"), (*t)[0].key);
        CPPUNIT_ASSERT_EQUAL(std::string("value one"), (*t)[0].value);
        CPPUNIT_ASSERT_EQUAL(3, (*t)[0].origin.line);
        CPPUNIT_ASSERT_EQUAL(std::string("T:4"), (*t)[1].origin.str());
    }

    void broken_lines_are_all_reported_with_file_and_line()
    {
        std::string text = "ok value\nlonely\n" + std::string(max_table_line + 1, 'x') + "\nfine v\n";
        auto t = parse_table(text, "/etc/dkim/keytable");
        CPPUNIT_ASSERT(!t.ok());
        const std::string& m = t.error().message;
        CPPUNIT_ASSERT_MESSAGE(
            m, m.find("/etc/dkim/keytable:2: expected \"KEY VALUE\"") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(m, m.find("/etc/dkim/keytable:3: line longer") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("NUL", !parse_table(std::string("a b\0", 4), "T").ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TableFileTest);
