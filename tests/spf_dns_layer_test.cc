// Tests for auth/spf_dns_layer without a DNS server: the layer wires every
// hook libspf2 needs, is not freed by SPF_server_free, and reports a dead
// server as temperror. The RFC 7208 limits are exercised against real DNS
// by tests/spf_dns.sh and the RFC 7208 suite.
#include "auth/spf_dns_layer.hh"

#include <cppunit/extensions/HelperMacros.h>

using namespace sendsentry::auth;

class SpfDnsLayerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SpfDnsLayerTest);
    CPPUNIT_TEST(layer_has_every_hook_and_no_destructor);
    CPPUNIT_TEST(dead_server_is_temperror);
    CPPUNIT_TEST(server_free_leaves_the_layer_alive);
    CPPUNIT_TEST_SUITE_END();

public:
    void layer_has_every_hook_and_no_destructor()
    {
        auto resolver = Resolver::create({ "127.0.0.1:9" }).value();
        SpfDnsLayer layer(*resolver, Clock::now(), SpfLimits {}, false);
        CPPUNIT_ASSERT(layer.get()->lookup != nullptr);
        CPPUNIT_ASSERT(layer.get()->get_spf != nullptr);
        CPPUNIT_ASSERT(layer.get()->get_exp != nullptr);
        CPPUNIT_ASSERT(layer.get()->destroy == nullptr);
        CPPUNIT_ASSERT(layer.get()->hook == &layer);
    }

    void dead_server_is_temperror()
    {
        ResolverOptions o { "127.0.0.1:9" };
        o.retransmit = std::chrono::milliseconds(100);
        auto resolver = Resolver::create(o).value();
        SpfDnsLayer layer(*resolver, Clock::now() + std::chrono::milliseconds(300), SpfLimits {}, false);
        SpfRecordLookup r = layer.fetch_record("example.com");
        CPPUNIT_ASSERT(r.outcome == SpfRecordLookup::Outcome::temperror);
        CPPUNIT_ASSERT(!r.reason.empty());
        CPPUNIT_ASSERT(!layer.permerror().has_value());
    }

    void server_free_leaves_the_layer_alive()
    {
        auto resolver = Resolver::create({ "127.0.0.1:9" }).value();
        SpfDnsLayer layer(*resolver, Clock::now(), SpfLimits {}, false);
        {
            SpfServer server(SPF_server_new_dns(layer.get(), 0));
            CPPUNIT_ASSERT(server != nullptr);
        }
        // Still usable: SPF_server_free did not free it (ASan would notice).
        CPPUNIT_ASSERT(layer.get()->hook == &layer);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SpfDnsLayerTest);
