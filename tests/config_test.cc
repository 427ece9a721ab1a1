// Tests for core/config: good files, broken files, defaults, value syntax.
#include "core/config.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::config;

class ConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConfigTest);
    CPPUNIT_TEST(defaults_apply_without_a_file);
    CPPUNIT_TEST(values_of_every_type_are_read);
    CPPUNIT_TEST(every_error_is_reported_with_file_line_and_key);
    CPPUNIT_TEST(broken_files_are_refused);
    CPPUNIT_TEST(durations_accept_units);
    CPPUNIT_TEST(percentages_are_exact_parts_per_million);
    CPPUNIT_TEST(undeclared_key_access_is_a_programming_error);
    CPPUNIT_TEST(every_default_in_the_table_is_valid);
    CPPUNIT_TEST(missing_file_is_an_io_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults_apply_without_a_file()
    {
        Config c;
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/sendsentry/sendsentry.db"), c.string("store", "path"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 5 }, c.duration("store", "busy_timeout").count());
        CPPUNIT_ASSERT(!c.is_set("store", "path"));
    }

    void values_of_every_type_are_read()
    {
        auto c = parse("# comment\n"
                       "[store]\r\n"
                       "path = /tmp/x.db\n"
                       "busy_timeout = 2m\n"
                       "; another comment\n"
                       "[milter]\n"
                       "socket_mode = 0600\n"
                       "on_error = tempfail\n"
                       "[spf]\n"
                       "outbound_ips = 192.0.2.1, 2001:db8::1  198.51.100.7\n",
            "test.conf");
        CPPUNIT_ASSERT_MESSAGE(c ? "" : c.error().message, c.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("/tmp/x.db"), c->string("store", "path"));
        CPPUNIT_ASSERT(c->is_set("store", "path"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 120 }, c->duration("store", "busy_timeout").count());
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 0600 }, c->integer("milter", "socket_mode"));
        CPPUNIT_ASSERT_EQUAL(std::string("tempfail"), c->string("milter", "on_error"));
        auto ips = c->list("spf", "outbound_ips");
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, ips.size());
        CPPUNIT_ASSERT_EQUAL(std::string("2001:db8::1"), ips[1]);
    }

    void every_error_is_reported_with_file_line_and_key()
    {
        std::vector<Diagnostic> diags;
        auto c = parse("[store]\n"
                       "pathh = /x\n"
                       "busy_timeout = soon\n"
                       "[milter]\n"
                       "on_error = explode\n"
                       "[nosuch]\n"
                       "x = 1\n"
                       "[store]\n"
                       "path = /a\n"
                       "path = /b\n",
            "bad.conf", &diags);
        CPPUNIT_ASSERT(!c.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t { 5 }, diags.size());
        CPPUNIT_ASSERT_EQUAL(std::string("bad.conf:2: store.pathh: unknown key"), diags[0].to_string());
        CPPUNIT_ASSERT_EQUAL(3, diags[1].line);
        CPPUNIT_ASSERT_EQUAL(std::string("store.busy_timeout"), diags[1].key);
        CPPUNIT_ASSERT_EQUAL(std::string("bad.conf:5: milter.on_error: expected one of: accept, tempfail"),
            diags[2].to_string());
        CPPUNIT_ASSERT_EQUAL(std::string("bad.conf:6: unknown section [nosuch]"), diags[3].to_string());
        CPPUNIT_ASSERT_EQUAL(std::string("bad.conf:10: store.path: set twice (first on line 9)"),
            diags[4].to_string());
        CPPUNIT_ASSERT(c.error().message.find("bad.conf:10") != std::string::npos);
    }

    void broken_files_are_refused()
    {
        struct Case {
            const char* label;
            std::string text;
        };
        const Case cases[] = {
            { "no section", "path = /x\n" },
            { "no equals sign", "[store]\npath /x\n" },
            { "unterminated section", "[store\n" },
            { "out of range", "[store]\nbusy_timeout = 9999\n" },
            { "negative integer", "[bounce]\nsoft_bounce_limit = -1\n" },
            { "not octal", "[milter]\nsocket_mode = 0999\n" },
            { "NUL byte", std::string("[store]\npath = /x\0y\n", 20) },
            { "huge line", "[store]\npath = " + std::string(100000, 'x') + "\n" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !parse(c.text, "t.conf").ok());
    }

    void durations_accept_units()
    {
        struct Case {
            const char* text;
            std::int64_t seconds;
        };
        const Case good[] = { { "30", 30 }, { "30s", 30 }, { "5m", 300 }, { "2h", 7200 }, { "7d", 604800 },
            { "1w", 604800 }, { "0", 0 } };
        for (const Case& c : good) {
            auto d = parse_duration(c.text);
            CPPUNIT_ASSERT_MESSAGE(c.text, d.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.text, c.seconds, *d);
        }
        for (const char* bad : { "", "s", "-5s", "5x", "1.5h", "99999999999999999999d" })
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_duration(bad).ok());
    }

    void percentages_are_exact_parts_per_million()
    {
        struct Case {
            const char* text;
            std::int64_t ppm;
        };
        const Case good[] = { { "2%", 20000 }, { "0.3%", 3000 }, { "0.1%", 1000 }, { "100%", 1000000 },
            { "0.0001%", 1 }, { "12.5%", 125000 } };
        for (const Case& c : good) {
            auto p = parse_percent_ppm(c.text);
            CPPUNIT_ASSERT_MESSAGE(c.text, p.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.text, c.ppm, *p);
        }
        for (const char* bad : { "", "2", "%", ".5%", "5.%", "0.00001%", "-1%", "1e2%", "1000%" })
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_percent_ppm(bad).ok());
        Config c;
        CPPUNIT_ASSERT_EQUAL(std::int64_t { 3000 }, c.ppm("reputation", "suspend_complaint_rate"));
    }

    void undeclared_key_access_is_a_programming_error()
    {
        Config c;
        CPPUNIT_ASSERT_THROW(c.string("store", "nosuch"), std::logic_error);
        CPPUNIT_ASSERT_THROW(c.integer("store", "path"), std::logic_error);
    }

    void every_default_in_the_table_is_valid()
    {
        for (const KeySpec& k : key_table()) {
            std::string text = "[" + std::string(k.section) + "]\n" + std::string(k.name) + " = "
                + std::string(k.default_value) + "\n";
            auto c = parse(text, "defaults");
            CPPUNIT_ASSERT_MESSAGE(std::string(k.section) + "." + std::string(k.name) + ": "
                    + (c ? "" : c.error().message),
                c.ok());
            CPPUNIT_ASSERT_MESSAGE(std::string(k.name) + " has no help", !k.help.empty());
        }
    }

    void missing_file_is_an_io_error()
    {
        auto c = load("/nonexistent/sendsentry.conf");
        CPPUNIT_ASSERT(!c.ok());
        CPPUNIT_ASSERT(c.error().kind == sendsentry::ErrorKind::io);
        CPPUNIT_ASSERT(c.error().message.find("/nonexistent/sendsentry.conf") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigTest);
