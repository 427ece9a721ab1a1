// Tests for dkim/header_policy: which fields are signed and oversigned.
#include "dkim/header_policy.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class HeaderPolicyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HeaderPolicyTest);
    CPPUNIT_TEST(defaults_sign_the_issue_list_and_oversign_four);
    CPPUNIT_TEST(from_is_always_signed_and_oversigned_fields_are_signed);
    CPPUNIT_TEST(bad_names_are_refused);
    CPPUNIT_TEST(expected_h_counts_occurrences_plus_oversigning);
    CPPUNIT_TEST(arrays_survive_copies_and_moves);
    CPPUNIT_TEST_SUITE_END();

public:
    void defaults_sign_the_issue_list_and_oversign_four()
    {
        auto p = HeaderPolicy::make(default_sign_headers, default_oversign_headers);
        CPPUNIT_ASSERT(p.ok());
        for (const char* n : { "From", "to", "CC", "subject", "date", "message-id", "mime-version",
                 "content-type", "content-transfer-encoding", "reply-to", "list-unsubscribe",
                 "list-unsubscribe-post", "in-reply-to", "references" })
            CPPUNIT_ASSERT_MESSAGE(n, p->signs(n));
        for (const char* n : { "received", "return-path", "bcc", "x-mailer", "dkim-signature", "sender" })
            CPPUNIT_ASSERT_MESSAGE(n, !p->signs(n));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 4 }, p->oversign().size());
        for (const char* n : { "from", "subject", "to", "date" })
            CPPUNIT_ASSERT_MESSAGE(n, p->oversigns(n));
        CPPUNIT_ASSERT(!p->oversigns("cc"));
    }

    void from_is_always_signed_and_oversigned_fields_are_signed()
    {
        auto p = HeaderPolicy::make({ "Subject", "subject" }, { "X-Campaign" });
        CPPUNIT_ASSERT(p.ok());
        CPPUNIT_ASSERT(p->signs("from"));
        CPPUNIT_ASSERT(p->signs("x-campaign"));
        CPPUNIT_ASSERT_EQUAL(std::size_t { 3 }, p->sign().size()); // from, subject, x-campaign
        CPPUNIT_ASSERT(p->sign_array()[3] == nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("from"), std::string(p->sign_array()[0]));
    }

    void bad_names_are_refused()
    {
        for (const char* bad : { "Sub:ject", "", "X Space", "Dkim-Signature", "a.*" })
            CPPUNIT_ASSERT_MESSAGE(bad, !HeaderPolicy::make({ bad }, {}).ok());
        CPPUNIT_ASSERT(!HeaderPolicy::make({}, { "bad(name" }).ok());
    }

    void expected_h_counts_occurrences_plus_oversigning()
    {
        auto p = HeaderPolicy::make(default_sign_headers, default_oversign_headers);
        auto h = p->expected_h({ "Received", "From", "To", "Cc", "Cc", "Subject", "X-Mailer" });
        std::vector<std::string> want
            = { "cc", "cc", "date", "from", "from", "subject", "subject", "to", "to" };
        CPPUNIT_ASSERT(h == want);
    }

    void arrays_survive_copies_and_moves()
    {
        auto p = HeaderPolicy::make({ "to" }, {});
        HeaderPolicy copy = *p;
        HeaderPolicy moved = std::move(copy);
        CPPUNIT_ASSERT_EQUAL(std::string("to"), std::string(moved.sign_array()[1]));
        CPPUNIT_ASSERT(moved.sign_array()[0] == moved.sign()[0].c_str());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HeaderPolicyTest);
