#pragma once

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"

#include <optional>

namespace gateway::audit {

/// Signs a checkpoint over every entry appended so far, extending the latest checkpoint's tree with the entries
/// since (read by their stored hashes), and stores it with the roots of the blocks completed since. Returns nullopt
/// when no entry was appended since. One node at a time: the caller holds the checkpoint lease
/// (jobs::writeCheckpoint).
std::optional<Checkpoint> signCheckpoint(LogStore& store, const CheckpointSigner& signer);

}  // namespace gateway::audit
