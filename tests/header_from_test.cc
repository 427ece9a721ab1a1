// Tests for auth/header_from: RFC 5322 From fields as DMARC reads them.
#include "auth/header_from.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class HeaderFromTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HeaderFromTest);
    CPPUNIT_TEST(mailboxes_are_found_in_every_form);
    CPPUNIT_TEST(anything_but_one_mailbox_is_refused);
    CPPUNIT_TEST(exactly_one_from_field_is_required);
    CPPUNIT_TEST(encoded_words_are_decoded);
    CPPUNIT_TEST_SUITE_END();

public:
    void mailboxes_are_found_in_every_form()
    {
        struct Case {
            const char* label;
            std::string value;
            std::string address;
            std::string name;
        };
        const Case cases[] = {
            { "bare addr-spec", " jane@example.com", "jane@example.com", "" },
            { "name-addr", " Jane Doe <jane@Example.COM>", "jane@example.com", "Jane Doe" },
            { "quoted name with specials", " \"Doe, Jane <boss@evil.example>\" <jane@example.com>",
                "jane@example.com", "Doe, Jane <boss@evil.example>" },
            { "comments everywhere", " (c1) Jane (c2 (nested)) <jane(c3)@(c4)example.com> (c5)",
                "jane@example.com", "Jane" },
            { "comment holding an address", " jane@example.com (sent for boss@evil.example)",
                "jane@example.com", "" },
            { "folded", " Jane\r\n Doe\r\n\t<jane@example.com>", "jane@example.com", "Jane Doe" },
            { "encoded word name", " =?UTF-8?Q?J=C3=A9r=C3=B4me?= <jerome@example.com>", "jerome@example.com",
                "J\xc3\xa9r\xc3\xb4me" },
            { "encoded word hiding @", " =?UTF-8?B?Ym9zc0BldmlsLmV4YW1wbGU=?= <jane@example.com>",
                "jane@example.com", "boss@evil.example" },
            { "quoted local part", " \"jane doe\"@example.com", "\"jane doe\"@example.com", "" },
            { "group with one mailbox", " Team: Jane <jane@example.com>;", "jane@example.com", "Jane" },
            { "obs-route", " <@relay.example:jane@example.com>", "jane@example.com", "" },
            { "IDN domain",
                " jane@b\xc3\xbc"
                "cher.example",
                "jane@xn--bcher-kva.example", "" },
            { "obs-phrase with dot", " Jane Q. Doe <jane@example.com>", "jane@example.com", "Jane Q. Doe" },
            { "raw UTF-8 name", " J\xc3\xbcrgen M\xc3\xbcller <j@example.de>", "j@example.de",
                "J\xc3\xbcrgen M\xc3\xbcller" },
            { "lf folded", " Name\n <lf@example.com>", "lf@example.com", "Name" },
            { "trailing comma (obs-mbox-list)", " a@example.com,", "a@example.com", "" },
            { "domain upper-cased", " <A@EXAMPLE.COM>", "A@example.com", "" },
        };
        for (const Case& c : cases) {
            auto r = parse_from_field(c.value);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": " + (r ? "" : r.error().message), r.ok());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.address, r->address());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.name, r->display_name);
        }
    }

    void anything_but_one_mailbox_is_refused()
    {
        struct Case {
            const char* label;
            std::string value;
        };
        const Case cases[] = {
            { "empty", "" },
            { "two mailboxes", " a@example.com, b@example.org" },
            { "two angle addresses", " A <a@example.com> <b@example.org>" },
            { "name without an address", " Alice <alice>" },
            { "group of two", " Team: a@example.com, b@example.com;" },
            { "empty group", " undisclosed-recipients:;" },
            { "no domain", " jane@" },
            { "no at", " jane" },
            { "address literal", " jane@[192.0.2.1]" },
            { "unterminated quote", " \"Jane <jane@example.com>" },
            { "unterminated comment", " Jane (oops <jane@example.com>" },
            { "unclosed angle", " Jane <jane@example.com" },
            { "NUL", std::string(" jane@exa\0mple.com", 18) },
            { "comments too deep",
                " " + std::string(100, '(') + std::string(100, ')') + " jane@example.com" },
            { "too long", " " + std::string(max_from_field, 'a') + "@example.com" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(c.label, !parse_from_field(c.value).ok());
    }

    void exactly_one_from_field_is_required()
    {
        std::vector<std::string> none;
        std::vector<std::string> one { " a@example.com" };
        std::vector<std::string> two { " a@example.com", " b@example.com" };
        CPPUNIT_ASSERT(!parse_header_from(none).ok());
        CPPUNIT_ASSERT(parse_header_from(one).ok());
        CPPUNIT_ASSERT(!parse_header_from(two).ok());
    }

    void encoded_words_are_decoded()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("caf\xc3\xa9"), decode_encoded_words("=?iso-8859-1?q?caf=E9?="));
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), decode_encoded_words("=?us-ascii?Q?a_b?="));
        CPPUNIT_ASSERT_EQUAL(std::string("=?koi8-r?B?0NLJ?="), decode_encoded_words("=?koi8-r?B?0NLJ?="));
        CPPUNIT_ASSERT_EQUAL(std::string("plain"), decode_encoded_words("plain"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HeaderFromTest);
