#pragma once

// Checking the stored exchange log: its chain, its Merkle tree against every signed checkpoint, and its index; where
// signing and indexing stand; and bringing the index up to date.

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"
#include "gateway/audit/verifier.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

namespace gateway::audit {

struct AuditVerifyOptions {
    std::int64_t from = 1;  ///< first entry to check; the chain is anchored at the last checkpoint before it
    std::int64_t to = 0;    ///< last entry to check; 0 for the end of the log
    /// Checks checkpoint signatures; without one, checkpoints are still compared with the entries.
    const audit::CheckpointVerifier* key = nullptr;
    /// Also compares the log index with the entries it covers in the range: an index term deleted or changed could
    /// hide an entry from a search ("who read this child's file") while the chain still holds. Walks the whole index.
    bool index = false;
    /// A checkpoint the auditor holds outside the database: the database must still hold it, and the entries up to
    /// its size must still give its root. Without one, checkpoints deleted from the end, and the entries after the
    /// newest one left rewritten, cannot be told from checkpoints never signed.
    std::optional<audit::Checkpoint> trusted;
    std::function<void(std::int64_t checked)> progress;
};

/// Recomputes the stored log's chain and Merkle tree and checks every checkpoint in the range against them (see
/// audit::LogVerifier for what is found and where it is reported), and with `index` the log index.
audit::VerifyReport verifyExchangeLog(audit::LogStore& store, const AuditVerifyOptions& options);

/// Where signing stands.
struct CheckpointStatus {
    std::int64_t head = 0;                 ///< entries in the log
    std::string head_hash;                 ///< the last entry's chain hash; empty for an empty log
    std::optional<std::string> algorithm;  ///< "sha256" or "sm3", fixed by the first entry
    std::optional<audit::Checkpoint> latest;
    std::int64_t unsigned_entries = 0;     ///< appended since the latest checkpoint: the signing backlog
    std::int64_t unindexed_entries = 0;    ///< appended since the log indexer last ran
    std::int64_t persons_hashed_from = 1;  ///< the first entry whose hash covers its persons
};

CheckpointStatus checkpointStatus(audit::LogStore& store);

/// How many entries the log indexer takes per transaction: large enough that its sorted inserts share index pages,
/// small enough that a SQLite writer waits for it well under a second.
inline constexpr std::size_t kLogIndexRun = 50000;

/// Brings the log index (Store::indexExchangeLog) up to the last entry, `run` entries per transaction, and returns
/// how many entries it indexed. Searches find every entry either way; the index makes them fast.
std::int64_t indexExchangeLog(audit::LogStore& store, std::size_t run = kLogIndexRun);

}  // namespace gateway::audit
