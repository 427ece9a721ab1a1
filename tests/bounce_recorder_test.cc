// Tests for store/bounce_recorder against a real SQLite store in a temporary
// directory: hard bounces and complaints suppress, unsubscribes are scoped,
// soft bounces suppress at the limit, unreadable bounces are quarantined.
#include "store/bounce_recorder.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstdlib>
#include <filesystem>

using namespace sendsentry;
using namespace sendsentry::store;

namespace {

class BounceTempDir {
public:
    BounceTempDir()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "bounce_recorder_test.XXXXXX").string();
        if (!mkdtemp(tmpl.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~BounceTempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const char* name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

mail::BounceReport report(mail::ReportKind kind, const char* recipient, bool hard, const char* feedback = "")
{
    mail::BounceReport r;
    r.kind = kind;
    r.sender_domain = "shop.example";
    mail::Failure f;
    f.recipient = recipient;
    f.hard = hard;
    f.status = hard ? "5.1.1" : "4.2.2";
    f.reason = kind == mail::ReportKind::feedback ? "feedback" : hard ? "userunknown" : "mailboxfull";
    f.feedback_type = feedback;
    r.failures.push_back(f);
    return r;
}

Result<BounceOutcome> record(Store& store, const mail::BounceReport& r, Time now, std::string key = "k")
{
    BounceContext c;
    c.now = now;
    c.message_key = key;
    c.raw = "raw message";
    BounceOutcome out;
    Status s = store.write([&](Transaction& tx) -> Status {
        auto o = record_bounce(tx, r, c);
        if (!o)
            return std::move(o).error();
        out = *o;
        return {};
    });
    if (!s)
        return std::move(s).error();
    return out;
}

} // namespace

class BounceRecorderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BounceRecorderTest);
    CPPUNIT_TEST(hard_bounces_and_complaints_suppress_globally);
    CPPUNIT_TEST(unsubscribes_are_scoped_to_the_sender_domain);
    CPPUNIT_TEST(soft_bounces_suppress_at_the_limit);
    CPPUNIT_TEST(unreadable_bounces_are_quarantined);
    CPPUNIT_TEST_SUITE_END();

public:
    void hard_bounces_and_complaints_suppress_globally()
    {
        BounceTempDir dir;
        auto store = open(OpenOptions { dir.file("s.db") });
        CPPUNIT_ASSERT(store.ok());
        CPPUNIT_ASSERT(record(**store, report(mail::ReportKind::bounce, "gone@example.com", true), 100).ok());
        CPPUNIT_ASSERT(
            record(**store, report(mail::ReportKind::feedback, "angry@example.com", false, "abuse"), 100)
                .ok());
        auto gone = (*store)->find_suppression("gone@example.com", "other.example", 200);
        CPPUNIT_ASSERT(gone.ok() && gone->has_value());
        CPPUNIT_ASSERT((*gone)->reason == Reason::hard_bounce);
        auto angry = (*store)->find_suppression("angry@example.com", "", 200);
        CPPUNIT_ASSERT(angry.ok() && angry->has_value());
        CPPUNIT_ASSERT((*angry)->reason == Reason::complaint);
        auto n = (*store)->sum_counter("shop.example", "hard_bounce", 0);
        CPPUNIT_ASSERT(n.ok());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), *n);
    }

    void unsubscribes_are_scoped_to_the_sender_domain()
    {
        BounceTempDir dir;
        auto store = open(OpenOptions { dir.file("s.db") });
        CPPUNIT_ASSERT(store.ok());
        CPPUNIT_ASSERT(
            record(**store, report(mail::ReportKind::feedback, "reader@isp.example", false, "opt-out"), 100)
                .ok());
        auto here = (*store)->find_suppression("reader@isp.example", "shop.example", 200);
        CPPUNIT_ASSERT(here.ok() && here->has_value());
        CPPUNIT_ASSERT((*here)->reason == Reason::unsubscribe);
        auto elsewhere = (*store)->find_suppression("reader@isp.example", "other.example", 200);
        CPPUNIT_ASSERT(elsewhere.ok() && !elsewhere->has_value());
    }

    void soft_bounces_suppress_at_the_limit()
    {
        BounceTempDir dir;
        auto store = open(OpenOptions { dir.file("s.db") });
        CPPUNIT_ASSERT(store.ok());
        for (Time t : { 100, 200 }) {
            auto o = record(**store, report(mail::ReportKind::bounce, "full@example.com", false), t);
            CPPUNIT_ASSERT(o.ok());
            CPPUNIT_ASSERT_EQUAL(1, o->soft_counted);
        }
        auto none = (*store)->find_suppression("full@example.com", "", 250);
        CPPUNIT_ASSERT(none.ok() && !none->has_value());
        auto third = record(**store, report(mail::ReportKind::bounce, "full@example.com", false), 300);
        CPPUNIT_ASSERT(third.ok());
        CPPUNIT_ASSERT_EQUAL(1, third->suppressed);
        auto row = (*store)->find_suppression("full@example.com", "", 400);
        CPPUNIT_ASSERT(row.ok() && row->has_value());
        CPPUNIT_ASSERT((*row)->reason == Reason::soft_bounce);
    }

    void unreadable_bounces_are_quarantined()
    {
        BounceTempDir dir;
        auto store = open(OpenOptions { dir.file("s.db") });
        CPPUNIT_ASSERT(store.ok());
        mail::BounceReport r;
        r.kind = mail::ReportKind::unknown;
        auto o = record(**store, r, 100);
        CPPUNIT_ASSERT(o.ok() && o->quarantined);
        auto q = (*store)->list_quarantine(10, 0);
        CPPUNIT_ASSERT(q.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), q->size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BounceRecorderTest);
