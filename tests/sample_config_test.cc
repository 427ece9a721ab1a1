// Tests for conf/sendsentry.conf, the sample users copy: it must load with the
// config key table (every key it sets exists and has a valid value).
#include "core/config.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <string>
#include <vector>

using namespace sendsentry::config;

class SampleConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SampleConfigTest);
    CPPUNIT_TEST(sample_configuration_loads_without_diagnostics);
    CPPUNIT_TEST(sample_sets_the_paths_the_postfix_snippets_use);
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(SampleConfigTest);
