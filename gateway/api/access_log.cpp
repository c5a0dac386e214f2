#include "gateway/api/access_log.h"

#include "gateway/common/error.h"

#include <Poco/Logger.h>

namespace gateway::api {

struct AccessLog::Pending {
    audit::ExchangeLogEntry entry;
    bool done = false;
    std::int64_t seq = 0;
    std::exception_ptr error;
    std::condition_variable finished;
};

AccessLog::AccessLog(audit::LogStore& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch == 0 ? 1 : max_batch), writer_([this] { run(); }) {}

AccessLog::~AccessLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_writer_.notify_one();
    writer_.join();
}

std::int64_t AccessLog::record(audit::ExchangeLogEntry entry) {
    auto pending = std::make_shared<Pending>();
    pending->entry = std::move(entry);
    std::unique_lock lock(mutex_);
    if (stopping_) {
        throw GatewayError(ErrorCode::Unavailable, "the gateway is stopping");
    }
    queue_.push_back(pending);
    wake_writer_.notify_one();
    pending->finished.wait(lock, [&] { return pending->done; });
    if (pending->error) {
        std::rethrow_exception(pending->error);
    }
    return pending->seq;
}

std::size_t AccessLog::transactions() const {
    std::lock_guard lock(mutex_);
    return transactions_;
}

void AccessLog::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
            return;  // stopping, and everything queued is written
        }
        std::vector<std::shared_ptr<Pending>> batch;
        if (queue_.size() <= max_batch_) {
            batch.swap(queue_);
        } else {
            batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_));
        }
        lock.unlock();
        std::vector<audit::ExchangeLogEntry> entries;
        entries.reserve(batch.size());
        for (const auto& pending : batch) {
            entries.push_back(pending->entry);
        }
        std::exception_ptr error;
        std::int64_t last = 0;
        try {
            last = store_.appendExchangeLog(entries);
        } catch (const GatewayError& e) {
            Poco::Logger::get("gateway.api").error("cannot append to the exchange log: " + e.message());
            error = std::current_exception();
        } catch (const std::exception& e) {
            Poco::Logger::get("gateway.api").error(std::string("cannot append to the exchange log: ") + e.what());
            error = std::make_exception_ptr(
                GatewayError(ErrorCode::StoreUnavailable, "the exchange log cannot be written"));
        }
        lock.lock();
        if (!error) {
            ++transactions_;
        }
        // The store numbers a transaction's entries consecutively, in the order given.
        const auto first = last - static_cast<std::int64_t>(batch.size()) + 1;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            batch[i]->done = true;
            batch[i]->error = error;
            batch[i]->seq = error ? 0 : first + static_cast<std::int64_t>(i);
            batch[i]->finished.notify_all();
        }
    }
}

}  // namespace gateway::api
