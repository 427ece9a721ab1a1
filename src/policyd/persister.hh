// The write-behind writer of sendsentry-policyd: a thread with its own store
// connection that writes one PersistBatch at a time, so that the event loop
// never waits for SQLite's fsync (3-30 ms here). It wakes the loop through an
// eventfd when a batch is done. Used by server.cc.
#pragma once

#include "core/result.hh"
#include "core/unique_fd.hh"
#include "policy/policy_engine.hh"
#include "store/store.hh"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace sendsentry::policyd {

class Persister {
public:
    // STORE is used only by the writer thread from now on.
    explicit Persister(std::unique_ptr<store::Store> store);
    ~Persister(); // finishes the batch in hand, then stops
    Persister(const Persister&) = delete;
    Persister& operator=(const Persister&) = delete;

    // Readable when a batch is done: add it to the event loop.
    int wake_fd() const noexcept { return wake_.get(); }
    // Whether a batch is being written (submit only when not).
    bool busy() const;
    void submit(policy::PersistBatch batch);
    // The finished batch (its contents freed when it was written) and how
    // its write went, once (after wake_fd fired).
    std::optional<std::pair<policy::PersistBatch, Status>> take_result();
    // Blocks until the batch in hand (if any) is written.
    void wait_idle();

private:
    void run() noexcept;

    std::unique_ptr<store::Store> store_;
    UniqueFd wake_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    // Behind pointers, so that the writer thread only moves pointers: a
    // PersistBatch's move allocates (std::deque), and run() is noexcept.
    std::unique_ptr<policy::PersistBatch> pending_;
    std::unique_ptr<policy::PersistBatch> done_;
    Status done_status_;
    bool stop_ = false;
    std::thread thread_; // last: started once everything above exists
};

} // namespace sendsentry::policyd
