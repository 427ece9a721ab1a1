// Tests for core/config_reference: README.md carries the reference generated
// from the key table, so documentation and table cannot drift apart.
#include "core/config_reference.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <sstream>

class ConfigReferenceTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConfigReferenceTest);
    CPPUNIT_TEST(every_section_has_a_table);
    CPPUNIT_TEST(readme_reference_matches_the_key_table);
    CPPUNIT_TEST_SUITE_END();

public:
    void every_section_has_a_table()
    {
        std::string ref = sendsentry::config::markdown_reference();
        for (const char* s : { "store", "milter", "dkim", "spf", "policyd", "bounce", "reputation" })
            CPPUNIT_ASSERT_MESSAGE(s, ref.find("### [" + std::string(s) + "]") != std::string::npos);
    }

    void readme_reference_matches_the_key_table()
    {
        std::ifstream in(TOP_SRCDIR "/README.md");
        CPPUNIT_ASSERT_MESSAGE("README.md not found under " TOP_SRCDIR, in.good());
        std::stringstream text;
        text << in.rdbuf();
        const std::string readme = text.str();
        const std::string begin = "<!-- config-reference:begin -->\n";
        const std::string end = "<!-- config-reference:end -->";
        auto b = readme.find(begin);
        auto e = readme.find(end);
        CPPUNIT_ASSERT_MESSAGE("README.md has no config-reference markers",
            b != std::string::npos && e != std::string::npos && b < e);
        std::string documented = readme.substr(b + begin.size(), e - b - begin.size());
        CPPUNIT_ASSERT_MESSAGE("README.md configuration reference is stale: run `make update-readme`",
            documented == sendsentry::config::markdown_reference());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigReferenceTest);
