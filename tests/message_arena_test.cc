// Tests for dkim/message_arena: blocks allocated through the hooks with an
// arena are recorded until released, and those never released are freed
// with the arena (LeakSanitizer in the sanitizer build checks that); blocks
// of the library itself (no arena) are not recorded. A real libopendkim
// signer runs through the arena in signer_test.
#include "dkim/message_arena.hh"

#include <cppunit/extensions/HelperMacros.h>
#include <cstring>

using sendsentry::dkim::MessageArena;

class MessageArenaTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MessageArenaTest);
    CPPUNIT_TEST(records_until_released_and_frees_the_rest);
    CPPUNIT_TEST(library_blocks_are_not_recorded);
    CPPUNIT_TEST_SUITE_END();

public:
    void records_until_released_and_frees_the_rest()
    {
        MessageArena arena;
        void* a = MessageArena::allocate(&arena, 64);
        void* b = MessageArena::allocate(&arena, 100);
        CPPUNIT_ASSERT(a && b);
        std::memset(a, 1, 64);
        std::memset(b, 2, 100);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), arena.live());
        MessageArena::release(&arena, a);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), arena.live());
        // b is left behind, as libopendkim leaves an Ed25519 signature's
        // buffer: the arena's destructor frees it.
    }

    void library_blocks_are_not_recorded()
    {
        MessageArena arena;
        void* p = MessageArena::allocate(nullptr, 32);
        CPPUNIT_ASSERT(p);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), arena.live());
        MessageArena::release(nullptr, p);
        MessageArena::release(&arena, nullptr); // free(NULL), as libopendkim may
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), arena.live());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageArenaTest);
