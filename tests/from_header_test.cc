// Tests for dkim/from_header: the author address and the cases RFC 6376
// 8.15 says not to sign.
#include "dkim/from_header.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::dkim;

class FromHeaderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FromHeaderTest);
    CPPUNIT_TEST(mailboxes_yield_their_address);
    CPPUNIT_TEST(lists_groups_and_garbage_are_errors);
    CPPUNIT_TEST(missing_and_repeated_from_fields_are_named);
    CPPUNIT_TEST_SUITE_END();

public:
    void mailboxes_yield_their_address()
    {
        struct Case {
            const char* label;
            std::string value;
            std::string address;
        };
        const Case cases[] = {
            { "bare", " alice@example.com", "alice@example.com" },
            { "display name", " Alice Example <alice@Example.COM>", "alice@example.com" },
            { "quoted name with comma and <", " \"Doe, John <boss>\" <john@example.com>",
                "john@example.com" },
            { "comment", " alice@example.com (Alice, the boss)", "alice@example.com" },
            { "encoded word", " =?UTF-8?B?SsO8cmdlbg==?= <j@example.de>", "j@example.de" },
            { "raw UTF-8 name", " J\xc3\xbcrgen M\xc3\xbcller <j@example.de>", "j@example.de" },
            { "folded", " \"A very long display name\"\r\n\t<folded@example.com>", "folded@example.com" },
            { "lf folded", " Name\n <lf@example.com>", "lf@example.com" },
            { "IDN domain",
                " <info@b\xc3\xbc"
                "cher.example>",
                "info@xn--bcher-kva.example" },
            { "trailing comma", " a@example.com,", "a@example.com" },
            { "nested comment", " (a (nested) comment) x@example.com", "x@example.com" },
        };
        for (const Case& c : cases) {
            auto a = parse_mailbox(c.value);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": " + (a ? "" : a.error().message), a.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.address, a->str());
        }
    }

    void lists_groups_and_garbage_are_errors()
    {
        struct Case {
            const char* label;
            std::string value;
            FromProblem problem;
        };
        const Case cases[] = {
            { "two mailboxes", " a@example.com, b@example.org", FromProblem::several_addresses },
            { "two angle addresses", " A <a@example.com> <b@example.org>", FromProblem::several_addresses },
            { "group", " Team: a@example.com, b@example.com;", FromProblem::several_addresses },
            { "empty", " ", FromProblem::unparsable },
            { "no domain", " Alice <alice>", FromProblem::unparsable },
            { "unbalanced", " Alice <alice@example.com", FromProblem::unparsable },
            { "unterminated comment", " alice@example.com (oops", FromProblem::unparsable },
            { "huge", " " + std::string(100000, 'a') + "@example.com", FromProblem::unparsable },
        };
        for (const Case& c : cases) {
            AuthorResult r = find_author({ c.value });
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, std::string(to_string(c.problem)), std::string(to_string(r.problem)));
        }
    }

    void missing_and_repeated_from_fields_are_named()
    {
        CPPUNIT_ASSERT(find_author({}).problem == FromProblem::missing);
        CPPUNIT_ASSERT(
            find_author({ " a@example.com", " a@example.com" }).problem == FromProblem::several_fields);
        AuthorResult ok = find_author({ " Alice <alice@example.com>" });
        CPPUNIT_ASSERT(ok.problem == FromProblem::none);
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), ok.address.domain());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FromHeaderTest);
