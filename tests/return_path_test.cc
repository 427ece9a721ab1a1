// Tests for mail/return_path: bounce addresses round-trip, stay within RFC
// 5321's 64-octet local part, survive lower-casing, and every kind of bad
// token (forged, truncated, expired, malformed, moved) is refused by value.
#include "mail/return_path.hh"

#include "temp_dir.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <fstream>
#include <sys/stat.h>

using namespace sendsentry;
using namespace sendsentry::mail;

namespace {

constexpr std::int64_t now = 1'795'000'000; // 2026-11-18

ReturnPathKeys keys_of(std::vector<std::string> secrets)
{
    auto k = ReturnPathKeys::from_secrets(std::move(secrets));
    if (!k)
        throw std::runtime_error(k.error().message);
    return std::move(k).value();
}

const ReturnPathKeys& keys()
{
    static const ReturnPathKeys k = keys_of({ "0123456789abcdef0123456789abcdef" });
    return k;
}

std::string make(const Address& sender, std::int64_t at = now, const ReturnPathSettings& s = {},
    const ReturnPathKeys& k = keys())
{
    auto r = make_return_path(k, s, sender, "4F2A31C0D5E", at);
    if (!r)
        throw std::runtime_error(r.error().message);
    return *r;
}

std::string local_of(const std::string& address) { return address.substr(0, address.rfind('@')); }

} // namespace

class ReturnPathTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReturnPathTest);
    CPPUNIT_TEST(addresses_round_trip_to_the_original_sender);
    CPPUNIT_TEST(local_parts_stay_within_64_octets_and_lower_case);
    CPPUNIT_TEST(upper_cased_addresses_still_verify);
    CPPUNIT_TEST(bad_tokens_are_refused_by_kind);
    CPPUNIT_TEST(tokens_expire_after_max_age);
    CPPUNIT_TEST(rotated_keys_still_verify_old_tokens);
    CPPUNIT_TEST(settings_change_prefix_and_label);
    CPPUNIT_TEST(null_sender_and_long_domains_get_no_return_path);
    CPPUNIT_TEST(key_files_others_can_read_are_refused);
    CPPUNIT_TEST(every_truncation_and_bit_flip_is_refused);
    CPPUNIT_TEST_SUITE_END();

public:
    void addresses_round_trip_to_the_original_sender()
    {
        struct Case {
            const char* label;
            Address sender;
            const char* local; // expected in the token ("" = did not fit)
        };
        const Case cases[] = {
            { "short local part", Address("news", "example.com"), "news" },
            { "mixed case local part kept", Address("News.Letter", "example.com"), "News.Letter" },
            { "15 octets fit", Address("abcdefghijklmno", "example.com"), "abcdefghijklmno" },
            { "16 octets do not", Address("abcdefghijklmnop", "example.com"), "" },
            { "VERP-looking local part", Address("a+b=c", "mail.example.org"), "a+b=c" },
        };
        for (const Case& c : cases) {
            std::string address = make(c.sender);
            TokenReading r = read_return_path(keys(), {}, address, now + 60);
            CPPUNIT_ASSERT_MESSAGE(std::string(c.label) + ": " + address + ": " + r.detail, r.valid());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, c.sender.domain(), r.path.sender_domain);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(c.local), r.path.sender_local);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, message_tag("4F2A31C0D5E"), r.path.message_tag);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, now, r.path.signed_at);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                c.label, "bounces." + c.sender.domain(), address.substr(address.rfind('@') + 1));
        }
        CPPUNIT_ASSERT(has_token_form({}, "<Bounces+x@b.example>"));
        CPPUNIT_ASSERT(!has_token_form({}, "bounces@b.example"));
        CPPUNIT_ASSERT(!has_token_form({}, "bouncesx+y@b.example"));
        CPPUNIT_ASSERT(!has_token_form({}, "bounces+y"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(10), message_tag("x").size());
        CPPUNIT_ASSERT(message_tag("A") != message_tag("B"));
    }

    void local_parts_stay_within_64_octets_and_lower_case()
    {
        for (std::size_t n = 1; n <= 64; ++n) {
            std::string address = make(Address(std::string(n, 'x'), "example.com"));
            std::string local = local_of(address);
            CPPUNIT_ASSERT_MESSAGE(address, local.size() <= max_local_part);
            for (char c : local)
                CPPUNIT_ASSERT_MESSAGE(address, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+');
        }
        ReturnPathSettings longest;
        longest.prefix = std::string(max_prefix, 'b');
        std::string address = make(Address("news", "example.com"), now, longest);
        CPPUNIT_ASSERT_MESSAGE(address, local_of(address).size() <= max_local_part);
        CPPUNIT_ASSERT(read_return_path(keys(), longest, address, now).valid());
    }

    void upper_cased_addresses_still_verify()
    {
        std::string address = make(Address("news", "Example.COM"));
        std::string upper = address;
        for (char& c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        TokenReading r = read_return_path(keys(), {}, "<" + upper + ">", now);
        CPPUNIT_ASSERT_MESSAGE(r.detail, r.valid());
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), r.path.sender_domain);
    }

    void bad_tokens_are_refused_by_kind()
    {
        std::string good = make(Address("news", "example.com"));
        std::string token = good.substr(8, good.find('@') - 8);
        std::string other
            = make(Address("news", "example.com"), now, {}, keys_of({ "another secret of 32 bytes......" }));
        struct Case {
            const char* label;
            std::string address;
            TokenStatus expected;
        };
        const Case cases[] = {
            { "genuine", good, TokenStatus::valid },
            { "ordinary address", "news@example.com", TokenStatus::not_a_token },
            { "no domain", "bounces+abc", TokenStatus::not_a_token },
            { "empty", "", TokenStatus::not_a_token },
            { "other prefix", "return+" + token + "@bounces.example.com", TokenStatus::not_a_token },
            { "moved to another domain", "bounces+" + token + "@bounces.example.net", TokenStatus::forged },
            { "moved off the subdomain", "bounces+" + token + "@example.com", TokenStatus::malformed },
            { "bare subdomain", "bounces+" + token + "@bounces.", TokenStatus::malformed },
            { "signed with an unknown key", other, TokenStatus::forged },
            { "empty token", "bounces+@bounces.example.com", TokenStatus::malformed },
            { "not base32", "bounces+" + token.substr(0, 30) + "18@bounces.example.com",
                TokenStatus::malformed },
            { "truncated below the fixed part", "bounces+" + token.substr(0, 16) + "@bounces.example.com",
                TokenStatus::malformed },
            { "truncated by one character",
                "bounces+" + token.substr(0, token.size() - 1) + "@bounces.example.com",
                TokenStatus::malformed },
            { "made-up token", "bounces+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.example.com",
                TokenStatus::malformed },
            { "made-up version 1 token", "bounces+aeaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.example.com",
                TokenStatus::forged },
            { "over 64 octets", "bounces+" + std::string(60, 'a') + "@bounces.example.com",
                TokenStatus::malformed },
            { "huge", "bounces+" + std::string(100000, 'a') + "@bounces.example.com",
                TokenStatus::malformed },
            { "binary junk", std::string("bounces+\0\xff\x80@bounces.example.com", 31),
                TokenStatus::malformed },
        };
        for (const Case& c : cases) {
            TokenReading r = read_return_path(keys(), {}, c.address, now);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(c.label) + " (" + r.detail + ")",
                std::string(to_string(c.expected)), std::string(to_string(r.status)));
            if (!r.valid())
                CPPUNIT_ASSERT_MESSAGE(c.label, !r.detail.empty() && r.path.sender_domain.empty());
        }
    }

    void tokens_expire_after_max_age()
    {
        ReturnPathSettings s;
        s.max_age = 7 * 86400;
        std::string address = make(Address("news", "example.com"), now, s);
        struct Case {
            const char* label;
            std::int64_t at;
            TokenStatus expected;
        };
        const Case cases[] = {
            { "at once", now, TokenStatus::valid },
            { "at max_age", now + 7 * 86400, TokenStatus::valid },
            { "a second past max_age", now + 7 * 86400 + 1, TokenStatus::expired },
            { "clock a little behind", now - 60, TokenStatus::valid },
            { "signed far in the future", now - 86400, TokenStatus::expired },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(c.label, std::string(to_string(c.expected)),
                std::string(to_string(read_return_path(keys(), s, address, c.at).status)));
    }

    void rotated_keys_still_verify_old_tokens()
    {
        auto old_keys = keys_of({ "old secret, 16+ bytes long" });
        auto rotated = keys_of({ "new secret, 16+ bytes long", "old secret, 16+ bytes long" });
        auto retired = keys_of({ "new secret, 16+ bytes long" });
        std::string old_token = make(Address("news", "example.com"), now, {}, old_keys);
        std::string new_token = make(Address("news", "example.com"), now, {}, rotated);
        CPPUNIT_ASSERT_MESSAGE(
            "old token, rotated keys", read_return_path(rotated, {}, old_token, now).valid());
        CPPUNIT_ASSERT_MESSAGE(
            "new token, rotated keys", read_return_path(rotated, {}, new_token, now).valid());
        CPPUNIT_ASSERT_MESSAGE(
            "new token signed with the first", read_return_path(retired, {}, new_token, now).valid());
        CPPUNIT_ASSERT_EQUAL_MESSAGE("old token, old key retired", std::string("forged"),
            std::string(to_string(read_return_path(retired, {}, old_token, now).status)));
    }

    void settings_change_prefix_and_label()
    {
        config::Config defaults;
        auto d = ReturnPathSettings::from_config(defaults);
        CPPUNIT_ASSERT(d);
        CPPUNIT_ASSERT_EQUAL(std::string("bounces"), d->prefix);
        CPPUNIT_ASSERT_EQUAL(std::string("bounces"), d->label);

        auto cfg
            = config::parse("[return_path]\nlocal_prefix = RP\nsubdomain = bnc\nmax_age = 2d\n", "t.conf");
        CPPUNIT_ASSERT_MESSAGE(cfg ? "" : cfg.error().message, cfg);
        auto s = ReturnPathSettings::from_config(*cfg);
        CPPUNIT_ASSERT_MESSAGE(s ? "" : s.error().message, s);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2 * 86400), s->max_age);
        std::string address = make(Address("news", "example.com"), now, *s);
        CPPUNIT_ASSERT_EQUAL(std::string("rp+"), address.substr(0, 3));
        CPPUNIT_ASSERT(address.ends_with("@bnc.example.com"));
        CPPUNIT_ASSERT(read_return_path(keys(), *s, address, now).valid());
        CPPUNIT_ASSERT_EQUAL(std::string("not-a-token"),
            std::string(to_string(read_return_path(keys(), {}, address, now).status)));

        for (const char* bad : { "[return_path]\nsubdomain = a.b\n", "[return_path]\nsubdomain = -x\n",
                 "[return_path]\nlocal_prefix = a+b\n",
                 "[return_path]\nlocal_prefix = aaaaaaaaaaaaaaaaaaaaaaaaa\n" }) {
            auto c = config::parse(bad, "t.conf");
            CPPUNIT_ASSERT_MESSAGE(bad, c);
            CPPUNIT_ASSERT_MESSAGE(bad, !ReturnPathSettings::from_config(*c));
        }
    }

    void null_sender_and_long_domains_get_no_return_path()
    {
        CPPUNIT_ASSERT(!make_return_path(keys(), {}, Address(), "Q", now));
        std::string domain;
        while (domain.size() < 250)
            domain += "abcdefghi.";
        domain += "com";
        CPPUNIT_ASSERT(!make_return_path(keys(), {}, Address("a", domain), "Q", now));
        CPPUNIT_ASSERT(!ReturnPathKeys::from_secrets({}));
        CPPUNIT_ASSERT(!ReturnPathKeys::from_secrets({ "short" }));
    }

    void key_files_others_can_read_are_refused()
    {
        TempDir dir;
        std::string path = dir.file("rp.key");
        {
            std::ofstream out(path);
            out << "# rotated 2026-11\nnew-secret-0123456789abcdef\n\nold-secret-0123456789abcdef\n";
        }
        ::chmod(path.c_str(), 0640);
        auto k = ReturnPathKeys::load(path);
        CPPUNIT_ASSERT_MESSAGE(k ? "" : k.error().message, k);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), k->secrets().size());
        CPPUNIT_ASSERT_EQUAL(std::string("new-secret-0123456789abcdef"), k->secrets().front());

        ::chmod(path.c_str(), 0644);
        auto open = ReturnPathKeys::load(path);
        CPPUNIT_ASSERT(!open);
        CPPUNIT_ASSERT_MESSAGE(
            open.error().message, open.error().message.find("by others") != std::string::npos);

        std::string weak = dir.file("weak.key");
        std::ofstream(weak) << "short\n";
        ::chmod(weak.c_str(), 0600);
        CPPUNIT_ASSERT(!ReturnPathKeys::load(weak));
        std::string empty = dir.file("empty.key");
        std::ofstream(empty) << "# nothing\n";
        ::chmod(empty.c_str(), 0600);
        CPPUNIT_ASSERT(!ReturnPathKeys::load(empty));
        CPPUNIT_ASSERT(!ReturnPathKeys::load(dir.file("missing.key")));
        CPPUNIT_ASSERT(!ReturnPathKeys::load(dir.path().string()));
    }

    void every_truncation_and_bit_flip_is_refused()
    {
        std::string good = make(Address("news", "example.com"));
        auto at = good.find('@');
        for (std::size_t n = 8; n < at; ++n) {
            std::string cut = good.substr(0, n) + good.substr(at);
            CPPUNIT_ASSERT_MESSAGE(cut, !read_return_path(keys(), {}, cut, now).valid());
        }
        static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        for (std::size_t i = 8; i < at; ++i) {
            for (char c : alphabet) {
                if (c == good[i])
                    continue;
                std::string flipped = good;
                flipped[i] = c;
                CPPUNIT_ASSERT_MESSAGE(flipped, !read_return_path(keys(), {}, flipped, now).valid());
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReturnPathTest);
