// Per-message allocation record for libopendkim; see message_arena.hh.
#include "dkim/message_arena.hh"

#include <cstdlib>
#include <new>

namespace sendsentry::dkim {

MessageArena::~MessageArena()
{
    for (void* block : live_)
        std::free(block);
}

void* MessageArena::allocate(void* closure, std::size_t size) noexcept
{
    void* block = std::malloc(size);
    if (!block || !closure)
        return block;
    try {
        static_cast<MessageArena*>(closure)->live_.insert(block);
    } catch (const std::bad_alloc&) {
        // Not recorded, it could be freed twice: fail the allocation instead
        // (libopendkim reports DKIM_STAT_NORESOURCE).
        std::free(block);
        return nullptr;
    }
    return block;
}

void MessageArena::release(void* closure, void* block) noexcept
{
    if (closure)
        static_cast<MessageArena*>(closure)->live_.erase(block);
    std::free(block);
}

} // namespace sendsentry::dkim
