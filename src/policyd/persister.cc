// The write-behind writer thread; see persister.hh.
#include "persister.hh"

#include <sys/eventfd.h>
#include <unistd.h>

namespace sendsentry::policyd {

Persister::Persister(std::unique_ptr<store::Store> store)
    : store_(std::move(store))
    , wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , thread_([this] { run(); })
{
}

Persister::~Persister()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

bool Persister::busy() const
{
    std::lock_guard lock(mutex_);
    return pending_ || done_;
}

void Persister::submit(policy::PersistBatch batch)
{
    auto boxed = std::make_unique<policy::PersistBatch>(std::move(batch));
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(boxed);
    }
    changed_.notify_all();
}

std::optional<std::pair<policy::PersistBatch, Status>> Persister::take_result()
{
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = read(wake_.get(), &count, sizeof count);
    std::unique_ptr<policy::PersistBatch> done;
    Status status;
    {
        std::lock_guard lock(mutex_);
        done = std::move(done_);
        status = std::move(done_status_);
    }
    if (!done)
        return std::nullopt;
    return std::make_pair(std::move(*done), std::move(status));
}

void Persister::wait_idle()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !pending_; });
}

void Persister::run() noexcept
{
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [&] { return stop_ || pending_ != nullptr; });
        if (!pending_) // stopping with nothing in hand
            return;
        // Still pending_ (busy) while it is written; only this thread touches it.
        policy::PersistBatch& batch = *pending_;
        lock.unlock();
        Status st;
        try {
            st = policy::write_batch(*store_, batch);
        } catch (const std::exception& e) {
            st = make_error(ErrorKind::internal, std::string("write-behind: ") + e.what());
        } catch (...) {
            st = make_error(ErrorKind::internal, "write-behind: unknown exception");
        }
        if (st)
            batch.clear(); // here, not in the event loop
        lock.lock();
        done_ = std::move(pending_);
        done_status_ = std::move(st);
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t n = write(wake_.get(), &one, sizeof one);
        changed_.notify_all();
        if (stop_)
            return;
    }
}

} // namespace sendsentry::policyd
