// Tests for auth/forged_results: which incoming Authentication-Results fields
// the milter deletes, by the index smfi_chgheader takes.
#include "auth/forged_results.hh"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>

using namespace sendsentry::auth;

class ForgedResultsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ForgedResultsTest);
    CPPUNIT_TEST(fields_claiming_our_id_are_deleted_highest_index_first);
    CPPUNIT_TEST(the_limit_is_reported);
    CPPUNIT_TEST_SUITE_END();

    using Fields = std::vector<std::pair<std::string, std::string>>;

public:
    void fields_claiming_our_id_are_deleted_highest_index_first()
    {
        struct Case {
            const char* label;
            Fields fields;
            std::vector<int> expected;
        };
        const std::string ar = "Authentication-Results";
        const Case cases[] = {
            { "no fields", {}, {} },
            { "other fields only", { { "From", " relay.example.net" }, { "Subject", " relay.example.net;" } },
                {} },
            { "one forged", { { ar, " relay.example.net; spf=pass smtp.mailfrom=a@example.com" } }, { 1 } },
            { "someone else's kept", { { ar, " mx.example.org; dkim=pass" } }, {} },
            { "index counts only A-R fields",
                { { "Received", " from x" }, { ar, " mx.example.org; none" }, { "Subject", " s" },
                    { ar, " relay.example.net; none" } },
                { 2 } },
            { "several, highest first",
                { { ar, " relay.example.net; none" }, { ar, " mx.example.org; none" },
                    { ar, " Relay.Example.NET; dmarc=pass" } },
                { 3, 1 } },
            { "name case-insensitive", { { "authentication-RESULTS", " relay.example.net; none" } }, { 1 } },
            { "comment before the id", { { ar, " (forged) relay.example.net; none" } }, { 1 } },
            { "version after the id", { { ar, " relay.example.net 1; none" } }, { 1 } },
            { "folded, no leading space", { { ar, "relay.example.net;\r\n\tspf=pass" } }, { 1 } },
            { "longer id is not ours", { { ar, " relay.example.net.evil; none" } }, {} },
            { "suffix of ours is not ours", { { ar, " example.net; none" } }, {} },
            { "empty value", { { ar, "" } }, {} },
            { "ARC-Authentication-Results is another field",
                { { "ARC-" + ar, " i=1; relay.example.net; none" } }, {} },
        };
        for (const Case& c : cases) {
            ForgedResults f("relay.example.net");
            for (const auto& [name, value] : c.fields)
                f.field(name, value);
            CPPUNIT_ASSERT_MESSAGE(c.label, c.expected == f.deletion_order());
            CPPUNIT_ASSERT_MESSAGE(c.label, !f.over_limit());
        }
    }

    void the_limit_is_reported()
    {
        ForgedResults f("relay.example.net");
        for (std::size_t i = 0; i < max_forged_results; ++i)
            f.field("Authentication-Results", " relay.example.net; none");
        CPPUNIT_ASSERT(!f.over_limit());
        f.field("Authentication-Results", " relay.example.net; none");
        CPPUNIT_ASSERT(f.over_limit());
        auto order = f.deletion_order();
        CPPUNIT_ASSERT_EQUAL(max_forged_results, order.size());
        CPPUNIT_ASSERT_EQUAL(int(max_forged_results), order.front());
        CPPUNIT_ASSERT_EQUAL(1, order.back());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ForgedResultsTest);
