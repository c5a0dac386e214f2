#pragma once

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"
#include "gateway/audit/verifier.h"
#include "gateway/store/lease_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gateway::jobs {

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
    std::int64_t head = 0;  ///< entries in the log
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

/// Signs a checkpoint over every entry appended so far, extending the latest checkpoint's tree with the entries
/// since (read by their stored hashes). Returns nullopt when no entry was appended since, or when another node
/// holds the checkpoint lease. Appends never wait for this: if it fails, entries go on being chained and the
/// backlog grows until a checkpoint succeeds.
std::optional<audit::Checkpoint> writeCheckpoint(audit::LogStore& store, store::LeaseStore& leases,
                                                 const audit::CheckpointSigner& signer, const std::string& holder);

/// An entry, what it chains to, and the audit path from it to a signed checkpoint: enough for an auditor holding the
/// gateway's public key to check the entry without the rest of the log.
struct InclusionProof {
    audit::ExchangeLogEntry entry;
    bool persons_hashed = true;  ///< whether the entry's hash covers its persons (see audit::ChainFormat)
    std::string previous_hash;   ///< the hash of entry seq - 1 (zeros for entry 1)
    audit::Checkpoint checkpoint;
    std::vector<std::string> path;  ///< hex, leaf to root
};

/// The proof of entry `seq` against the checkpoint of `size` entries, or by default the first one covering it.
/// NotFound when there is no such entry or checkpoint, Conflict when no checkpoint covers the entry yet.
InclusionProof proveEntry(audit::LogStore& store, std::int64_t seq, std::optional<std::uint64_t> size);

/// Whether the proof holds: the entry hashes to a leaf whose path leads to the checkpoint's root, and the
/// checkpoint carries the key's signature. `why` names the first check that failed.
bool checkProof(const InclusionProof& proof, const audit::CheckpointVerifier& key, std::string* why = nullptr);

/// JSON for a proof (GET /v1/audit/{seq}/proof, `gateway audit prove`) and back (`gateway audit check-proof`).
std::string renderProof(const InclusionProof& proof);
InclusionProof parseProof(std::string_view json);

/// A checkpoint as a JSON object (its frontier left out): in proofs, `gateway audit status|checkpoint --json`.
std::string renderCheckpoint(const audit::Checkpoint& checkpoint);

/// A checkpoint as renderCheckpoint() prints it, bare or inside the output of `gateway audit checkpoint --json` or
/// `gateway audit status --json`. Throws GatewayError(InvalidArgument) naming what is missing.
audit::Checkpoint parseCheckpoint(std::string_view json);

/// One entry as a JSON object (the API's and the JSON Lines export's form).
std::string renderEntry(const audit::ExchangeLogEntry& entry);

/// A time filter as ExchangeLogQuery compares it: an ISO-8601 UTC time or any prefix of one ("2026", "2026-11-01T08"),
/// with a trailing Z dropped so that "…T08:00:00Z" still takes in "…T08:00:00.000Z"; nullopt for anything else (a
/// zone other than Z cannot be compared as text).
std::optional<std::string> logTimeBound(const std::string& text);

enum class ExportFormat { Csv, JsonLines };

/// Writes every entry matching the query (its limit ignored; read page by page) and returns how many. CSV cells
/// that a spreadsheet would run as a formula (starting with = + - @ or a tab) are prefixed with an apostrophe.
std::int64_t exportExchangeLog(audit::LogStore& store, audit::ExchangeLogQuery query, ExportFormat format,
                               std::ostream& out);

}  // namespace gateway::jobs
