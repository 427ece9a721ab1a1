// Tests for reputation/notice: the state-change mail (headers, reason,
// counts, what to do next, no header injection from stored names) and its
// submission through a sendmail(1)-compatible command given by path.
#include "reputation/notice.hh"
#include "temp_dir.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace sendsentry;
using namespace sendsentry::reputation;

namespace {

constexpr store::Time t0 = 1'800'000'000; // 2027-01-15 08:00:00 UTC

StateChange suspension(std::string subject)
{
    StateChange c;
    c.subject = std::move(subject);
    c.from = State::warning;
    c.to = State::suspended;
    c.reason = "hard-bounce rate 9% over 24h (90 of 1000) reached the suspension threshold 8%";
    c.at = t0;
    c.windows.push_back({ std::chrono::hours(24), Counts { 1000, 90, 3, 1, 0, 0 } });
    return c;
}

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string script(const TempDir& dir, const char* name, const std::string& body)
{
    std::string path = dir.file(name);
    std::ofstream(path) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

} // namespace

class NoticeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(NoticeTest);
    CPPUNIT_TEST(mail_names_the_change_the_reason_and_the_way_back);
    CPPUNIT_TEST(stored_names_cannot_add_header_fields);
    CPPUNIT_TEST(command_gets_the_address_and_the_mail_on_stdin);
    CPPUNIT_TEST(failing_or_missing_command_is_an_error);
    CPPUNIT_TEST_SUITE_END();

public:
    void mail_names_the_change_the_reason_and_the_way_back()
    {
        std::string m = state_change_mail(suspension("shop.example"), "admin@relay.example");
        struct Case {
            const char* label;
            const char* expected;
        };
        const Case cases[] = {
            { "recipient", "\nTo: <admin@relay.example>\n" },
            { "subject", "\nSubject: sendsentry: sender shop.example is now suspended (was warning)\n" },
            { "date", "\nDate: Fri, 15 Jan 2027 08:00:00 +0000\n" },
            { "auto-submitted (RFC 3834)", "\nAuto-Submitted: auto-generated\n" },
            { "change", "\nChange:  warning -> suspended at 2027-01-15 08:00:00 UTC\n" },
            { "reason", "\nReason:  hard-bounce rate 9% over 24h (90 of 1000)" },
            { "counts", "\nLast 24h: sent 1000, hard bounces 90 (9%), complaints 1 (0.10%)\n" },
            { "how to resume", "sendsentry sender resume shop.example --why" },
        };
        for (const Case& c : cases)
            CPPUNIT_ASSERT_MESSAGE(
                std::string(c.label) + " missing in:\n" + m, m.find(c.expected) != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(
            "header ends before the body", m.find("\n\nSender:  shop.example\n") != std::string::npos);
    }

    void stored_names_cannot_add_header_fields()
    {
        std::string m
            = state_change_mail(suspension("evil.example\r\nBcc: victim@example.com"), "admin@relay.example");
        CPPUNIT_ASSERT_MESSAGE(m, m.find("\nBcc:") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(
            m, m.find("sender evil.example??Bcc: victim@example.com is now") != std::string::npos);
    }

    void command_gets_the_address_and_the_mail_on_stdin()
    {
        TempDir dir;
        std::string out = dir.file("out");
        std::string cmd
            = script(dir, "sendmail", "printf '%s\\n' \"$@\" >" + out + ".args\ncat >" + out + "\n");
        std::string mail = state_change_mail(suspension("shop.example"), "admin@relay.example");
        auto sent = send_mail(cmd, "admin@relay.example", mail);
        CPPUNIT_ASSERT_MESSAGE(sent ? "" : sent.error().message, sent.ok());
        CPPUNIT_ASSERT_EQUAL(std::string("-oi\n--\nadmin@relay.example\n"), slurp(out + ".args"));
        CPPUNIT_ASSERT_EQUAL(mail, slurp(out));
    }

    void failing_or_missing_command_is_an_error()
    {
        TempDir dir;
        // Exits before reading: the write may hit a closed pipe, which must
        // be an error, not a SIGPIPE that kills the test.
        std::string cmd = script(dir, "sendmail", "exit 75\n");
        auto failed = send_mail(cmd, "admin@relay.example", std::string(1 << 20, 'x'));
        CPPUNIT_ASSERT(!failed.ok());
        CPPUNIT_ASSERT(failed.error().kind == ErrorKind::temporary);
        auto missing = send_mail(dir.file("no-such-sendmail"), "admin@relay.example", "x\n");
        CPPUNIT_ASSERT(!missing.ok());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(NoticeTest);
