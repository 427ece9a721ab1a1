// The allocations libopendkim makes for one message. DkimLibrary passes
// MessageArena's hooks to dkim_init and each MessageSigner passes its arena
// as dkim_sign's memory closure, so every allocation made for the message's
// DKIM handles is recorded here; whatever dkim_free leaves behind is freed
// with the arena. libopendkim 2.11.0~beta2 frees a signature's 64-byte
// output buffer only for RSA: without the arena a milter leaks it for every
// Ed25519 signature. The arena relies on libopendkim freeing hooked memory
// through the hook: it does on the signing path we use, but not for
// dkim_add_xtag() nodes (plain free()), which the signer must not add.
#pragma once

#include <cstddef>
#include <unordered_set>

namespace sendsentry::dkim {

class MessageArena {
public:
    MessageArena() = default;
    ~MessageArena();
    MessageArena(const MessageArena&) = delete;
    MessageArena& operator=(const MessageArena&) = delete;

    // dkim_init's hooks. CLOSURE is the arena, or null for the library's own
    // allocations, which are not recorded. They never throw.
    static void* allocate(void* closure, std::size_t size) noexcept;
    static void release(void* closure, void* block) noexcept;

    // Blocks allocated through this arena and not yet released.
    std::size_t live() const noexcept { return live_.size(); }

private:
    std::unordered_set<void*> live_;
};

} // namespace sendsentry::dkim
