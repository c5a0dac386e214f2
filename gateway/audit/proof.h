#pragma once

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gateway::audit {

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

}  // namespace gateway::audit
