#pragma once

// What each port's writes put in the exchange log as an entry's detail: one rendering, which the SQL store and the
// in-memory fakes of its ports both write, so that an auditor's reading of a fake's log is a real one.

#include "gateway/intake/intake_store.h"
#include "gateway/linkage/link_store.h"
#include "gateway/profile/profile_store.h"
#include "gateway/reconcile/reconcile_store.h"

#include <cstddef>
#include <string>
#include <vector>

namespace gateway::store {

/// "source.pull": the batch, its payload's hash and size, the counts, and the watermark moved.
std::string pullDetail(const intake::BatchCommit& batch, const intake::CommitResult& result);
/// "sync.run": the run's node, trigger, status, counts, start and error.
std::string syncRunDetail(const intake::SyncRun& run);
/// "review.decision": the pair, the decision, who made it and why, its records, and the assignments it changed.
std::string decisionDetail(const linkage::ReviewDecision& decision, const linkage::ReviewItem& item,
                           std::size_t assignments);
/// "profile.version": the version written, its content hash, and whether it is a removal.
std::string versionDetail(const profile::ProfileVersion& profile);
/// "profile.purge": when the person was removed, and what was erased.
std::string purgeDetail(const profile::PurgeOutcome& outcome);
/// "reconcile.run": the run's node, trigger, as-of date, whether it repaired, status, start and error, and its
/// summary (a JSON object, embedded as it is).
std::string reconcileRunDetail(const reconcile::ReconcileRun& run);
/// "record.retire": the run, the reason, how many records were retired, and their keys.
std::string retireDetail(const reconcile::RecordRetirement& retirement, const std::vector<std::string>& retired);

}  // namespace gateway::store
