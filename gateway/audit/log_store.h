#pragma once

// The exchange log as the audit stage reads and writes it: appends (chained by the store), searches and the index
// behind them, the Merkle tree's cached block roots, and signed checkpoints. The store implements it.

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/entry.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gateway::audit {

/// One line of the exchange log, numbered and chained by the store as it appends it.
using ExchangeLogEntry = LogEntry;

/// Filters on the exchange log; empty ones match everything.
struct ExchangeLogQuery {
    std::string actor{};
    std::string action{};  // exact, or a family ending in '.': "api." matches every API read
    std::string person{};  // the entry's subject, or one of the persons it names
    std::string from{};    // at >= from (ISO-8601 UTC, any prefix of it: "2026" is the start of 2026)
    std::string to{};      // at < to
    std::int64_t after_seq = 0;
    std::size_t limit = 100;
    bool with_persons = true;  // read the persons each entry names
};

/// The last entry of the exchange log.
struct LogHead {
    std::int64_t seq = 0;  // 0 for an empty log
    std::string hash;      // its chain hash; empty for an empty log
};

/// The exchange log and its checkpoints.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class LogStore {
public:
    virtual ~LogStore() = default;

    /// Appends one entry outside any batch (configuration changes, start-up, reads) and returns its seq.
    /// Every append, here and in the transactions that log what they do, numbers the entries 1, 2, 3 … in commit
    /// order without gaps and chains each to the one before (audit/chain.h), under one lock: nodes sharing one
    /// PostgreSQL database extend one chain, never a fork.
    virtual std::int64_t appendExchangeLog(const ExchangeLogEntry& entry) = 0;
    /// Appends the entries in one transaction, in order, and returns the last one's seq (0 if none).
    virtual std::int64_t appendExchangeLog(const std::vector<ExchangeLogEntry>& entries) = 0;
    /// Entries with seq > after_seq, oldest first, with their hashes and persons: what verifying the chain reads.
    virtual std::vector<ExchangeLogEntry> exchangeLog(std::int64_t after_seq, std::size_t limit) = 0;
    /// Entries matching the query, oldest first, each with the persons it names. Entries the log index has not
    /// reached yet are matched too, row by row.
    virtual std::vector<ExchangeLogEntry> searchExchangeLog(const ExchangeLogQuery& query) = 0;
    /// Indexes the actor, action, subject and persons of up to `max_entries` entries after the last indexed one, in
    /// one transaction, and returns how many it indexed (0 when the index is up to date). Appends never wait for
    /// the index: it is built after them in large sorted runs, and several nodes may call this at once.
    virtual std::int64_t indexExchangeLog(std::size_t max_entries) = 0;
    /// The last entry the log index covers (0 for none).
    virtual std::int64_t exchangeLogIndexed() = 0;
    /// Calls `visit` with every term the log index holds for entries first_seq … last_seq, in term order, a page at a
    /// time: a walk of the whole index, which is what checking it against the entries reads.
    virtual void forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                                const std::function<void(const std::string& term, std::int64_t seq)>& visit) = 0;
    /// Empties the log index, for indexExchangeLog to build again from entry 1. Searches stay complete meanwhile:
    /// they read the entries the index has not reached row by row.
    virtual void clearExchangeLogIndex() = 0;
    virtual std::optional<ExchangeLogEntry> exchangeLogEntry(std::int64_t seq) = 0;
    /// The stored hashes of entries after_seq + 1 … after_seq + limit, in seq order (fewer at the end of the log).
    virtual std::vector<std::string> exchangeLogHashes(std::int64_t after_seq, std::size_t limit) = 0;
    virtual LogHead exchangeLogHead() = 0;
    /// What the log is chained with ("sha256" or "sm3"), fixed by its first entry; nullopt while it is empty.
    virtual std::optional<std::string> exchangeLogAlgorithm() = 0;
    /// The first entry whose hash covers the persons it names (see audit::ChainFormat): 1, unless the log was begun
    /// by a version that did not hash them.
    virtual std::int64_t exchangeLogPersonsFrom() = 0;

    /// Roots of the log's Merkle tree over whole blocks of audit::kBlockLeaves entries, from `first_block` on and
    /// while they are stored without a gap, at most `limit`: a cache that lets a proof read O(log n) hashes. Never
    /// trusted: a proof built from them is checked against its signed root.
    virtual std::vector<std::string> logBlockRoots(std::int64_t first_block, std::size_t limit) = 0;
    /// Stores the roots of blocks first_block, first_block + 1, …; a block already stored keeps its root.
    virtual void storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) = 0;

    /// Stores a signed checkpoint. Conflict if one of that size exists.
    virtual void appendCheckpoint(const audit::Checkpoint& checkpoint) = 0;
    /// The checkpoints with min_size <= size <= max_size, smallest first.
    virtual std::vector<audit::Checkpoint> checkpoints(std::uint64_t min_size, std::uint64_t max_size) = 0;
    virtual std::optional<audit::Checkpoint> latestCheckpoint() = 0;
    /// The largest checkpoint of at most `size` entries / the smallest of at least `size`.
    virtual std::optional<audit::Checkpoint> checkpointAtMost(std::uint64_t size) = 0;
    virtual std::optional<audit::Checkpoint> checkpointAtLeast(std::uint64_t size) = 0;
};

}  // namespace gateway::audit
