#pragma once

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_store.h"
#include "gateway/store/lease_store.h"

#include <optional>
#include <string>

namespace gateway::jobs {

/// Signs a checkpoint over every entry appended so far (audit::signCheckpoint), unless another node holds the
/// checkpoint lease: then, or when no entry was appended since, returns nullopt. Appends never wait for this: if it
/// fails, entries go on being chained and the backlog grows until a checkpoint succeeds.
std::optional<audit::Checkpoint> writeCheckpoint(audit::LogStore& store, store::LeaseStore& leases,
                                                 const audit::CheckpointSigner& signer, const std::string& holder);

}  // namespace gateway::jobs
