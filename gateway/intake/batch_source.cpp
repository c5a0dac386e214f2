#include "gateway/intake/batch_source.h"

namespace gateway::intake {

BatchSource::BatchSource(adapters::Adapter& adapter, std::optional<std::string> since, std::size_t max_records)
    : adapter_(adapter), since_(std::move(since)), max_records_(max_records) {
    if (adapter_.prefetchable()) {
        thread_ = std::thread([this] { prefetchLoop(); });
    }
}

BatchSource::~BatchSource() {
    if (thread_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    try {
        acknowledge(to_ack_);
    } catch (const std::exception&) {
        // A failed acknowledgement only delays a clean-up the adapter repeats on its next pull; the run's own
        // outcome is already decided.
    }
}

std::optional<adapters::PullBatch> BatchSource::pullOnce(bool& last) {
    adapters::PullBatch batch = adapter_.pull(since_, max_records_);
    const bool nothing_new = batch.rows.empty() && (since_ ? batch.watermark == *since_ : batch.watermark.empty());
    if (nothing_new) {
        last = true;
        return std::nullopt;
    }
    since_ = batch.watermark;
    last = !batch.more;
    return batch;
}

void BatchSource::acknowledge(std::deque<adapters::PullBatch>& batches) {
    while (!batches.empty()) {
        adapter_.committed(batches.front());
        batches.pop_front();
    }
}

std::optional<adapters::PullBatch> BatchSource::next() {
    if (!thread_.joinable()) {
        if (finished_) {
            return std::nullopt;
        }
        return pullOnce(finished_);
    }
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || error_ || finished_; });
    if (!ready_.empty()) {
        adapters::PullBatch batch = std::move(ready_.front());
        ready_.pop_front();
        changed_.notify_all();
        return batch;
    }
    if (error_) {
        std::rethrow_exception(error_);
    }
    return std::nullopt;
}

void BatchSource::committed(adapters::PullBatch batch) {
    if (!thread_.joinable()) {
        adapter_.committed(batch);
        return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    to_ack_.push_back(std::move(batch));
}

void BatchSource::prefetchLoop() {
    for (;;) {
        std::deque<adapters::PullBatch> acks;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            // One batch waits while the caller commits another: enough to overlap the two, little memory.
            changed_.wait(lock, [this] { return stopping_ || ready_.empty(); });
            if (stopping_) {
                return;
            }
            acks.swap(to_ack_);
        }
        try {
            acknowledge(acks);
            bool last = false;
            std::optional<adapters::PullBatch> batch = pullOnce(last);
            std::lock_guard<std::mutex> lock(mutex_);
            if (batch) {
                ready_.push_back(std::move(*batch));
            }
            finished_ = last;
            changed_.notify_all();
            if (last) {
                return;
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            error_ = std::current_exception();
            changed_.notify_all();
            return;
        }
    }
}

}  // namespace gateway::intake
