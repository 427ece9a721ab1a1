// Tests for store/suppression_import: defaults for missing columns, bad lines
// skipped with their numbers or refusing everything (strict), batches that
// each log one event, re-imports that keep the earliest first_seen, and
// rows sorted in chunks with the file's last row of an address still winning.
#include "store/suppression_import.hh"
#include "temp_dir.hh"
#include "test_store.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <filesystem>
#include <sstream>

using namespace sendsentry;
using namespace sendsentry::store;

namespace {

struct Run {
    ImportReport report;
    std::vector<std::int64_t> bad_lines;
};

Run run_import(Store& st, const std::string& text, ImportOptions options = {}, ImportDefaults defaults = {},
    Time now = 5000)
{
    std::istringstream in(text);
    format::RowReader reader(in, format::InputFormat::automatic);
    Run run;
    run.report = import_rows(st, reader, defaults, options, now,
        [&](std::int64_t line, const Error&) { run.bad_lines.push_back(line); });
    return run;
}

std::int64_t count_all(Store& st)
{
    SuppressionFilter all;
    all.include_expired = true;
    auto n = st.count_suppressions(all);
    return n ? *n : -1;
}

} // namespace

class SuppressionImportTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SuppressionImportTest);
    CPPUNIT_TEST(defaults_fill_missing_columns);
    CPPUNIT_TEST(bad_lines_are_skipped_and_numbered);
    CPPUNIT_TEST(strict_refuses_the_whole_file);
    CPPUNIT_TEST(each_batch_logs_one_event);
    CPPUNIT_TEST(reimport_keeps_earliest_first_seen);
    CPPUNIT_TEST(sorted_chunks_keep_the_last_row_of_an_address);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults_fill_missing_columns()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        ImportDefaults d;
        d.reason = Reason::unsubscribe;
        d.scope = "brand.example";
        d.expires = 9000;
        d.note = "from the old relay";
        auto run = run_import(*st, "a@example.com\nb@example.com,COMPLAINT\n", {}, d);
        CPPUNIT_ASSERT(!run.report.error);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), run.report.written);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), run.report.grew);
        auto a = st->find_suppression("a@example.com", "brand.example", 6000);
        CPPUNIT_ASSERT(a.ok() && a->has_value());
        CPPUNIT_ASSERT((*a)->reason == Reason::unsubscribe);
        CPPUNIT_ASSERT((*a)->expires == Time(9000));
        CPPUNIT_ASSERT_EQUAL(std::string("from the old relay"), (*a)->note);
        CPPUNIT_ASSERT_EQUAL(std::string("import"), (*a)->source);
        CPPUNIT_ASSERT_EQUAL(Time(5000), (*a)->last_seen);
        auto b = st->find_suppression("b@example.com", "brand.example", 6000);
        CPPUNIT_ASSERT(b.ok() && b->has_value());
        CPPUNIT_ASSERT((*b)->reason == Reason::complaint);
    }

    void bad_lines_are_skipped_and_numbered()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        auto run = run_import(*st,
            "address,reason,scope\n"
            "ok1@example.com,manual,\n"
            "no-at-sign,manual,\n"
            "ok2@example.com,sometimes,\n"
            "ok3@example.com,manual,bad scope\n"
            "ok4@example.com,,\n");
        CPPUNIT_ASSERT(!run.report.error);
        CPPUNIT_ASSERT(!run.report.refused);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), run.report.written);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(3), run.report.bad);
        CPPUNIT_ASSERT(std::vector<std::int64_t>({ 3, 4, 5 }) == run.bad_lines);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), count_all(*st));
    }

    void strict_refuses_the_whole_file()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        ImportOptions strict;
        strict.strict = true;
        auto run = run_import(*st, "ok1@example.com\nok2@example.com\nbad\nok3@example.com\n", strict);
        CPPUNIT_ASSERT(run.report.refused);
        CPPUNIT_ASSERT(std::vector<std::int64_t>({ 3 }) == run.bad_lines);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), count_all(*st));
        auto events = st->list_events({});
        CPPUNIT_ASSERT(events.ok() && events->empty());
    }

    void each_batch_logs_one_event()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        std::string text;
        for (int i = 0; i < 25; ++i)
            text += "u" + std::to_string(i) + "@example.com\n";
        ImportOptions small;
        small.batch_rows = 10;
        auto run = run_import(*st, text, small);
        CPPUNIT_ASSERT(!run.report.error);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(25), run.report.written);
        EventFilter f;
        f.kind = EventKind::suppression_imported;
        auto events = st->list_events(f);
        CPPUNIT_ASSERT(events.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), events->size());
        CPPUNIT_ASSERT_EQUAL(std::string("5 entries"), (*events)[0].detail);
    }

    void reimport_keeps_earliest_first_seen()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        auto first = run_import(*st, "address,first_seen,last_seen\na@example.com,1000,2000\n");
        auto second = run_import(*st, "address,first_seen,last_seen,hits\na@example.com,1500,3000,7\n");
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), first.report.grew);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), second.report.written);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(
            "a re-import replaces, it does not add", std::int64_t(0), second.report.grew);
        auto a = st->find_suppression("a@example.com", "", 6000);
        CPPUNIT_ASSERT(a.ok() && a->has_value());
        CPPUNIT_ASSERT_EQUAL(Time(1000), (*a)->first_seen);
        CPPUNIT_ASSERT_EQUAL(Time(3000), (*a)->last_seen);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(7), (*a)->hits);
    }

    void sorted_chunks_keep_the_last_row_of_an_address()
    {
        TempDir dir;
        auto st = open_test_store(dir.file("s.db"));
        ImportOptions small;
        small.sort_rows = 3;
        small.batch_rows = 2;
        // Chunks of three rows, each written in key order; "A@" and "a@"
        // are one address (NOCASE), in two chunks and twice in the second.
        auto run = run_import(*st,
            "address,reason\n"
            "zed@example.com,manual\n"
            "a@example.com,complaint\n"
            "b@example.com,manual\n"
            "A@example.com,unsubscribe\n"
            "c@example.com,manual\n"
            "a@example.com,hard_bounce\n",
            small);
        CPPUNIT_ASSERT(!run.report.error);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(6), run.report.written);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(4), count_all(*st));
        auto a = st->find_suppression("a@example.com", "", 6000);
        CPPUNIT_ASSERT(a.ok() && a->has_value());
        CPPUNIT_ASSERT(to_string((*a)->reason) == "hard_bounce");

        // Strict: a bad line in a later chunk still refuses the whole file.
        auto dir2 = dir.file("strict.db");
        auto st2 = open_test_store(dir2);
        small.strict = true;
        auto strict = run_import(*st2, "a@example.com\nb@example.com\nc@example.com\nbad\n", small);
        CPPUNIT_ASSERT(strict.report.refused);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), count_all(*st2));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SuppressionImportTest);
