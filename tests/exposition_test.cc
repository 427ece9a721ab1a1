// Tests for metrics/exposition: text format, escaping, atomic textfile.
#include "metrics/exposition.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace sendsentry::metrics;

class ExpositionTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ExpositionTest);
    CPPUNIT_TEST(families_render_help_type_and_samples);
    CPPUNIT_TEST(label_values_are_escaped);
    CPPUNIT_TEST(invalid_names_are_programming_errors);
    CPPUNIT_TEST(textfile_is_replaced_whole);
    CPPUNIT_TEST(unwritable_textfile_is_an_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void families_render_help_type_and_samples()
    {
        Exposition e;
        e.declare("sendsentry_sender_messages", Type::gauge, "messages sent in the window");
        e.declare("sendsentry_signatures_total", Type::counter, "DKIM signatures");
        e.add("sendsentry_sender_messages", { { "sender", "example.com" }, { "window", "24h" } }, 1200);
        e.add("sendsentry_signatures_total", {}, 0.25);
        CPPUNIT_ASSERT_EQUAL(std::string("# HELP sendsentry_sender_messages messages sent in the window\n"
                                         "# TYPE sendsentry_sender_messages gauge\n"
                                         "sendsentry_sender_messages{sender=\"example.com\",window=\"24h\"} 1200\n"
                                         "# HELP sendsentry_signatures_total DKIM signatures\n"
                                         "# TYPE sendsentry_signatures_total counter\n"
                                         "sendsentry_signatures_total 0.25\n"),
            e.render());
    }

    void label_values_are_escaped()
    {
        Exposition e;
        e.declare("m", Type::gauge, "a\\b\nc");
        e.add("m", { { "v", "q\"x\\y\nz" } }, 1);
        CPPUNIT_ASSERT_EQUAL(std::string("# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{v=\"q\\\"x\\\\y\\nz\"} 1\n"), e.render());
    }

    void invalid_names_are_programming_errors()
    {
        Exposition e;
        CPPUNIT_ASSERT_THROW(e.declare("1bad", Type::gauge, ""), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(e.declare("bad-name", Type::gauge, ""), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(e.add("undeclared", {}, 1), std::invalid_argument);
        e.declare("ok", Type::gauge, "");
        CPPUNIT_ASSERT_THROW(e.add("ok", { { "bad label", "x" } }, 1), std::invalid_argument);
    }

    void textfile_is_replaced_whole()
    {
        char dir[] = "/tmp/exposition_test.XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(dir));
        std::string path = std::string(dir) + "/sendsentry.prom";
        CPPUNIT_ASSERT(write_textfile(path, "first\n").ok());
        CPPUNIT_ASSERT(write_textfile(path, "second\n").ok());
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        CPPUNIT_ASSERT_EQUAL(std::string("second\n"), text.str());
        ::unlink(path.c_str());
        ::rmdir(dir);
    }

    void unwritable_textfile_is_an_error()
    {
        auto s = write_textfile("/nonexistent-dir/x.prom", "x\n");
        CPPUNIT_ASSERT(!s.ok());
        CPPUNIT_ASSERT(s.error().kind == sendsentry::ErrorKind::io);
        CPPUNIT_ASSERT(s.error().message.find("/nonexistent-dir/x.prom") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ExpositionTest);
