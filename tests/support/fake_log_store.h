#pragma once

// audit::LogStore in memory, for unit tests of what reads and writes the exchange log without a database. Every
// method behaves as the SQL store's: entries numbered 1, 2, 3 … and chained with audit::chainEntries, persons sorted
// and each kept once, text that is not well-formed UTF-8 refused with InvalidArgument before anything is appended, a
// search matching indexed and unindexed entries alike, block roots read up to the first gap and never replaced,
// checkpoints unique by size.

#include "gateway/audit/digest.h"
#include "gateway/audit/log_store.h"

#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace gateway::testing {

/// Thread-safe, as the port requires: one lock orders every append, as the store's does.
class FakeLogStore : public audit::LogStore {
public:
    explicit FakeLogStore(audit::HashAlgorithm algorithm = audit::HashAlgorithm::Sha256) : algorithm_(algorithm) {}

    std::int64_t appendExchangeLog(const audit::ExchangeLogEntry& entry) override;
    std::int64_t appendExchangeLog(const std::vector<audit::ExchangeLogEntry>& entries) override;
    std::vector<audit::ExchangeLogEntry> exchangeLog(std::int64_t after_seq, std::size_t limit) override;
    std::vector<audit::ExchangeLogEntry> searchExchangeLog(const audit::ExchangeLogQuery& query) override;
    std::int64_t indexExchangeLog(std::size_t max_entries) override;
    std::int64_t exchangeLogIndexed() override;
    void forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                        const std::function<void(const std::string& term, std::int64_t seq)>& visit) override;
    void clearExchangeLogIndex() override;
    std::optional<audit::ExchangeLogEntry> exchangeLogEntry(std::int64_t seq) override;
    std::vector<std::string> exchangeLogHashes(std::int64_t after_seq, std::size_t limit) override;
    audit::LogHead exchangeLogHead() override;
    std::optional<std::string> exchangeLogAlgorithm() override;
    std::int64_t exchangeLogPersonsFrom() override;
    std::vector<std::string> logBlockRoots(std::int64_t first_block, std::size_t limit) override;
    void storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) override;
    void appendCheckpoint(const audit::Checkpoint& checkpoint) override;
    std::vector<audit::Checkpoint> checkpoints(std::uint64_t min_size, std::uint64_t max_size) override;
    std::optional<audit::Checkpoint> latestCheckpoint() override;
    std::optional<audit::Checkpoint> checkpointAtMost(std::uint64_t size) override;
    std::optional<audit::Checkpoint> checkpointAtLeast(std::uint64_t size) override;

private:
    const audit::HashAlgorithm algorithm_;
    std::mutex mutex_;
    std::vector<audit::ExchangeLogEntry> entries_;  // entries_[i].seq == i + 1
    std::set<std::pair<std::string, std::int64_t>> terms_;
    std::int64_t indexed_ = 0;
    std::map<std::int64_t, std::string> block_roots_;
    std::map<std::uint64_t, audit::Checkpoint> checkpoints_;
};

}  // namespace gateway::testing
