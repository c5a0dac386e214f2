#pragma once

#include "adapters/adapter.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace gateway::intake {

/// The batches of one run, in order. For an adapter whose pulls only read (Adapter::prefetchable), the next batch
/// is pulled on a thread of its own while the caller maps and commits the one before, so that waiting on the
/// source overlaps with work on the store. The adapter is used by one thread at a time: the prefetch thread while
/// it runs, the caller's otherwise.
class BatchSource {
public:
    BatchSource(adapters::Adapter& adapter, std::optional<std::string> since, std::size_t max_records);
    /// Stops prefetching and hands the committed batches not yet acknowledged to the adapter.
    ~BatchSource();
    BatchSource(const BatchSource&) = delete;
    BatchSource& operator=(const BatchSource&) = delete;

    /// The next batch, or nullopt when the source has nothing more. Rethrows what the adapter threw.
    std::optional<adapters::PullBatch> next();

    /// Tells the adapter that `batch` is committed (Adapter::committed), in order.
    void committed(adapters::PullBatch batch);

private:
    /// One pull; nullopt when it brought nothing new. Sets `last` when no batch follows this one.
    std::optional<adapters::PullBatch> pullOnce(bool& last);
    void prefetchLoop();
    void acknowledge(std::deque<adapters::PullBatch>& batches);

    adapters::Adapter& adapter_;
    std::optional<std::string> since_;
    std::size_t max_records_;
    bool finished_ = false;  // no batch follows; guarded by mutex_ while prefetching

    // Prefetching only.
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<adapters::PullBatch> ready_;   // pulled, not yet taken by next()
    std::deque<adapters::PullBatch> to_ack_;  // committed, not yet acknowledged to the adapter
    std::exception_ptr error_;
    bool stopping_ = false;
};

}  // namespace gateway::intake
