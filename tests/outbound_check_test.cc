// Tests for auth/outbound_check: settings from config, and the action and
// reply for each kind of outcome (DNS answers are not needed to decide on a
// broken From or a dead resolver; real DNS outcomes are in spf_dns.sh).
#include "auth/outbound_check.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry;
using namespace sendsentry::auth;

namespace {

std::unique_ptr<OutboundChecker> checker(const std::string& conf)
{
    auto cfg = config::parse(conf, "test.conf");
    CPPUNIT_ASSERT_MESSAGE(cfg ? "" : cfg.error().message, cfg.ok());
    auto settings = outbound_settings(*cfg);
    CPPUNIT_ASSERT_MESSAGE(settings ? "" : settings.error().message, settings.ok());
    settings->resolver.retransmit = std::chrono::milliseconds(100);
    settings->time_limit = std::chrono::milliseconds(400);
    auto c = OutboundChecker::create(std::move(*settings));
    CPPUNIT_ASSERT(c.ok());
    return std::move(*c);
}

} // namespace

class OutboundCheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OutboundCheckTest);
    CPPUNIT_TEST(settings_are_read_and_checked);
    CPPUNIT_TEST(dns_failure_never_rejects);
    CPPUNIT_TEST(unusable_from_gets_the_configured_action);
    CPPUNIT_TEST(domain_actions_override_the_default);
    CPPUNIT_TEST_SUITE_END();

public:
    void settings_are_read_and_checked()
    {
        auto cfg = config::parse("[spf]\noutbound_ips = 192.0.2.1 2001:db8::1\nresolver = [::1]:5353\n"
                                 "[dmarc]\nauthserv_id = relay.example.net\naction = reject\n"
                                 "domain_actions = Example.com=accept\n",
            "test.conf");
        CPPUNIT_ASSERT(cfg.ok());
        auto s = outbound_settings(*cfg);
        CPPUNIT_ASSERT(s.ok());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), s->outbound_ips.size());
        CPPUNIT_ASSERT_EQUAL(std::string("relay.example.net"), s->authserv_id);
        CPPUNIT_ASSERT(s->action == Action::reject);
        CPPUNIT_ASSERT(s->domain_actions.at("example.com") == Action::accept);

        auto bad = config::parse("[spf]\noutbound_ips = 192.0.2.300\nresolver = dns.example\n"
                                 "[dmarc]\ndomain_actions = example.com=maybe\n",
            "test.conf");
        CPPUNIT_ASSERT(bad.ok());
        auto e = outbound_settings(*bad);
        CPPUNIT_ASSERT(!e.ok());
        const std::string& msg = e.error().message;
        CPPUNIT_ASSERT_MESSAGE(msg, msg.find("outbound_ips") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(msg, msg.find("resolver") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(msg, msg.find("domain_actions") != std::string::npos);
    }

    void dns_failure_never_rejects()
    {
        auto c = checker("[spf]\noutbound_ips = 192.0.2.1\nresolver = 127.0.0.1:9\n"
                         "[dmarc]\nauthserv_id = relay.example.net\naction = reject\n");
        OutboundVerdict v = c->check({ "bounce@example.com", "relay.example.net", { " a@example.com" }, {} });
        CPPUNIT_ASSERT_EQUAL(std::string("temperror"), std::string(to_string(v.spf)));
        CPPUNIT_ASSERT(v.could_not_tell);
        CPPUNIT_ASSERT(!v.problem);
        CPPUNIT_ASSERT_EQUAL(std::string("tempfail"), std::string(to_string(v.action)));
        CPPUNIT_ASSERT_EQUAL(std::string("451"), v.smtp_code);
        CPPUNIT_ASSERT_EQUAL(std::string("4.7.1"), v.smtp_xcode);
        CPPUNIT_ASSERT(v.authentication_results.starts_with("relay.example.net;"));
    }

    void unusable_from_gets_the_configured_action()
    {
        auto c
            = checker("[spf]\nresolver = 127.0.0.1:9\n[dmarc]\nauthserv_id = r.example\naction = reject\n");
        OutboundVerdict v
            = c->check({ "bounce@example.com", "r.example", { " a@example.com", " b@example.com" }, {} });
        CPPUNIT_ASSERT(v.problem);
        CPPUNIT_ASSERT_EQUAL(std::string("reject"), std::string(to_string(v.action)));
        CPPUNIT_ASSERT_EQUAL(std::string("550"), v.smtp_code);
        CPPUNIT_ASSERT_MESSAGE(v.reply_text, v.reply_text.find("2 From fields") != std::string::npos);
        CPPUNIT_ASSERT(v.authentication_results.find("dmarc=permerror") != std::string::npos);
    }

    void domain_actions_override_the_default()
    {
        auto c = checker("[spf]\nresolver = 127.0.0.1:9\n[dmarc]\naction = reject\n"
                         "domain_actions = example.com=tag news.example.com=tempfail\n");
        // Without a usable From the envelope domain decides.
        OutboundVerdict other
            = c->check({ "b@other.example", "r.example", { " a@x.example.com, b@y.example" }, {} });
        CPPUNIT_ASSERT_EQUAL(std::string("reject"), std::string(to_string(other.action)));
        OutboundVerdict v = c->check({ "b@news.example.com", "r.example", {}, {} });
        CPPUNIT_ASSERT_EQUAL(std::string("tempfail"), std::string(to_string(v.action)));
        OutboundVerdict w = c->check({ "b@mail.example.com", "r.example", {}, {} });
        CPPUNIT_ASSERT_EQUAL(std::string("tag"), std::string(to_string(w.action)));
        CPPUNIT_ASSERT_EQUAL(w.reply_text, w.warning_header);
        CPPUNIT_ASSERT(w.smtp_code.empty());
        CPPUNIT_ASSERT(v.warning_header.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OutboundCheckTest);
