#pragma once

#include "gateway/audit/log_store.h"

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace gateway::api {

/// The API's side of the exchange log: every call is appended before its answer leaves, so that nothing is read
/// without a record of it.
///
/// Group commit: a request thread queues its entry and waits; one writer thread takes everything queued at that moment
/// and appends it in one transaction, then wakes the waiters. Concurrent reads therefore share a transaction instead
/// of queueing for the log's lock one by one, and a lone read costs one transaction.
class AccessLog {
public:
    /// `store` must outlive the log.
    explicit AccessLog(audit::LogStore& store, std::size_t max_batch = 1000);
    /// Writes what is queued, then stops the writer.
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    /// Appends the entry and returns its seq once it is committed. Throws what the store threw (a GatewayError) if the
    /// transaction holding it failed, and GatewayError(Unavailable) once the log is stopping.
    std::int64_t record(audit::ExchangeLogEntry entry);

    /// Transactions committed so far (each holding one or more entries).
    std::size_t transactions() const;

private:
    struct Pending;

    void run();

    audit::LogStore& store_;
    std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable wake_writer_;
    std::vector<std::shared_ptr<Pending>> queue_;
    std::size_t transactions_ = 0;
    bool stopping_ = false;
    std::thread writer_;
};

}  // namespace gateway::api
