#pragma once

// What every implementation of the store's ports refuses before writing anything, with its messages: the SQL store's
// and the in-memory fakes' alike, so that a test passing on a fake passes nothing the store refuses. Each throws
// GatewayError(InvalidArgument) naming the field and its owner.

#include "gateway/audit/log_store.h"
#include "gateway/intake/intake_store.h"
#include "gateway/linkage/link_store.h"
#include "gateway/profile/profile_store.h"
#include "gateway/reconcile/reconcile_store.h"

#include <string_view>
#include <vector>

namespace gateway::store {

/// A batch of one source: text well formed, every record and quarantined row of that source, no record twice.
void validateBatch(const intake::BatchCommit& batch);
/// Assignments of records to persons: source and person present, text well formed, each record once.
void validateLinks(const std::vector<linkage::PersonLink>& links);
/// A review pair: its id and both records named, text well formed, a finite weight.
void validateReviewItem(const linkage::ReviewItem& item);
/// A link run: its text, its assignments (each record once) and its review pairs.
void validateLinkRun(const linkage::LinkRunCommit& run);
/// A reviewer's decision: its pair, a known decision, its text.
void validateDecision(const linkage::ReviewDecision& decision);
/// Profiles to commit: person and content hash present, each person once, text well formed, codes without '|'.
void validateProfiles(const std::vector<profile::ProfileVersion>& profiles, std::string_view actor);
/// A profile query: a division prefix of digits only, every filter well-formed text.
void validateProfileQuery(const profile::ProfileQuery& query);
/// An exchange-log entry: its text well formed, its persons non-empty and without '|'.
void validateLogEntry(const audit::ExchangeLogEntry& entry);
/// A reconciliation run: node, trigger, start and as-of date present, a known status, text well formed, and a summary
/// that is a JSON object.
void validateReconcileRun(const reconcile::ReconcileRun& run);
/// Findings: a kind, a record (source and source ID) or a person, a division of digits, text well formed, evidence a
/// JSON object, a known repair.
void validateFindings(const std::vector<reconcile::Finding>& findings);
/// The repair of a run's findings: source and kind present, a known repair.
void validateRepair(const std::string& source, const std::string& kind, const std::string& repair);
/// A retirement: source, reason and time present, every key non-empty well-formed text.
void validateRetirement(const reconcile::RecordRetirement& retirement);

}  // namespace gateway::store
