// Tests for conf/sendsentry.conf, the sample users copy: it must load with the
// config key table (every key it sets exists and has a valid value), and it
// lists every key of the table, so a new key is documented where users look.
#include "core/config.hh"
#include "core/config_keys.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace sendsentry::config;

class SampleConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SampleConfigTest);
    CPPUNIT_TEST(sample_configuration_loads_without_diagnostics);
    CPPUNIT_TEST(sample_sets_the_paths_the_postfix_snippets_use);
    CPPUNIT_TEST(sample_lists_every_key_of_the_table);
    CPPUNIT_TEST_SUITE_END();

    static constexpr const char* sample = TOP_SRCDIR "/conf/sendsentry.conf";

public:
    void sample_configuration_loads_without_diagnostics()
    {
        std::vector<Diagnostic> diags;
        auto c = load(sample, &diags);
        std::string all;
        for (const Diagnostic& d : diags)
            all += d.to_string() + "\n";
        CPPUNIT_ASSERT_MESSAGE(c ? all : c.error().message + "\n" + all, c.ok() && diags.empty());
    }

    void sample_sets_the_paths_the_postfix_snippets_use()
    {
        // conf/main.cf names these sockets; conf/master.cf runs sendsentry-bounce with -c on this file.
        auto c = load(sample);
        CPPUNIT_ASSERT_MESSAGE(c ? "" : c.error().message, c.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("unix:/run/sendsentry/milter.sock"), c->string("milter", "socket"));
        auto listen = c->list("policyd", "listen");
        CPPUNIT_ASSERT_EQUAL(std::size_t { 1 }, listen.size());
        CPPUNIT_ASSERT_EQUAL(std::string("unix:/run/sendsentry/policyd.sock"), listen[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/sendsentry/sendsentry.db"), c->string("store", "path"));
    }

    // "section.key" for every "key = ..." or "#key = ..." line of the sample.
    static std::set<std::string> listed_keys()
    {
        std::set<std::string> keys;
        std::ifstream in(sample);
        std::string line, section;
        while (std::getline(in, line)) {
            if (line.size() > 2 && line.front() == '[' && line.back() == ']') {
                section = line.substr(1, line.size() - 2);
                continue;
            }
            std::size_t start = line.rfind('#', 0) == 0 ? 1 : 0;
            std::size_t end = line.find_first_of(" =", start);
            if (end == std::string::npos || end == start || line.find('=', end) == std::string::npos)
                continue;
            keys.insert(section + "." + line.substr(start, end - start));
        }
        return keys;
    }

    void sample_lists_every_key_of_the_table()
    {
        const std::set<std::string> listed = listed_keys();
        std::string missing;
        for (const KeySpec& k : key_table()) {
            std::string name = std::string(k.section) + "." + std::string(k.name);
            if (!listed.count(name))
                missing += "  [" + std::string(k.section) + "] #" + std::string(k.name) + " = "
                    + std::string(k.default_value) + "\n";
        }
        CPPUNIT_ASSERT_MESSAGE("conf/sendsentry.conf lacks these keys; add each, with its help line, "
                               "under its section:\n"
                + missing,
            missing.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SampleConfigTest);
