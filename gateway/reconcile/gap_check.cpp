#include "gateway/reconcile/gap_check.h"

#include "gateway/common/error.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace gateway::reconcile {

namespace {

constexpr std::size_t kBatchPersons = 256;
constexpr std::size_t kFindingChunk = 2000;

struct Person {
    std::string id;
    std::vector<intake::StagedRecord> records;
};
using Batch = std::vector<Person>;

/// Batches from the walk to the workers, a few at a time: the walk waits when they fall behind, and everyone stops
/// at the first failure.
class BatchQueue {
public:
    explicit BatchQueue(std::size_t capacity) : capacity_(capacity) {}

    /// False when the queue was stopped: the batch is dropped, the walk should end.
    bool push(Batch batch) {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return batches_.size() < capacity_ || stopped_; });
        if (stopped_) {
            return false;
        }
        batches_.push_back(std::move(batch));
        ready_.notify_one();
        return true;
    }

    /// The next batch; false once the walk has ended and every batch is taken, or the queue was stopped.
    bool pop(Batch& batch) {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !batches_.empty() || closed_ || stopped_; });
        if (stopped_ || batches_.empty()) {
            return false;
        }
        batch = std::move(batches_.front());
        batches_.pop_front();
        space_.notify_one();
        return true;
    }

    /// The walk has ended: workers finish what is queued.
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        ready_.notify_all();
    }

    /// Something failed: everyone stops now.
    void stop(std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        if (!error_) {
            error_ = std::move(error);
        }
        stopped_ = true;
        ready_.notify_all();
        space_.notify_all();
    }

    std::exception_ptr error() {
        std::lock_guard lock(mutex_);
        return error_;
    }

private:
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable space_;
    std::deque<Batch> batches_;
    bool closed_ = false;
    bool stopped_ = false;
    std::exception_ptr error_;
};

}  // namespace

GapCounts judgeEveryPerson(profile::ProfileBuildStore& persons, const profile::ProfileConfig& profiles,
                           const GapRules& rules, const model::CalendarDate& as_of, ReconcileStore& store,
                           std::int64_t run_id, unsigned threads,
                           const std::function<void(std::int64_t persons)>& progress) {
    GapCounts counts;
    for (const std::string& code : rules.codes()) {
        counts.findings[code] = 0;
    }
    threads = std::max(1u, threads);
    BatchQueue queue(2 * threads);
    std::mutex counts_mutex;
    std::vector<std::thread> workers;
    for (unsigned i = 0; i < threads; ++i) {
        workers.emplace_back([&] {
            try {
                const GapFinder finder(profiles, rules, as_of);
                std::map<std::string, std::int64_t> found;
                std::vector<Finding> chunk;
                Batch batch;
                while (queue.pop(batch)) {
                    for (const Person& person : batch) {
                        for (Finding& finding : finder.find(person.id, person.records)) {
                            ++found[finding.kind];
                            chunk.push_back(std::move(finding));
                        }
                    }
                    if (chunk.size() >= kFindingChunk) {
                        store.addFindings(run_id, chunk);
                        chunk.clear();
                    }
                }
                if (!queue.error()) {
                    store.addFindings(run_id, chunk);
                }
                std::lock_guard lock(counts_mutex);
                for (const auto& [kind, count] : found) {
                    counts.findings[kind] += count;
                }
            } catch (...) {
                queue.stop(std::current_exception());
            }
        });
    }
    try {
        Batch batch;
        persons.forEachPerson([&](const std::string& person_id, const std::vector<intake::StagedRecord>& records) {
            batch.push_back({person_id, records});
            ++counts.persons;
            if (batch.size() == kBatchPersons) {
                if (!queue.push(std::move(batch))) {
                    throw GatewayError(ErrorCode::Internal, "a worker judging persons failed");
                }
                batch.clear();
            }
            if (progress && counts.persons % 10000 == 0) {
                progress(counts.persons);
            }
        });
        if (!batch.empty()) {
            queue.push(std::move(batch));
        }
        queue.close();
    } catch (...) {
        queue.stop(std::current_exception());
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    if (const std::exception_ptr error = queue.error()) {
        std::rethrow_exception(error);
    }
    return counts;
}

}  // namespace gateway::reconcile
