#pragma once

// The daily run of gateway serve: due once the clock has passed the scheduled time of day, unless a scheduled run has
// started since. Every node sharing the store asks; one takes the run's lease and, holding it, asks again, so that two
// nodes started together run it once, and a node started after the time (or restarted) catches up the same day.

#include "gateway/reconcile/reconcile_store.h"

#include <Poco/Timestamp.h>

#include <optional>
#include <string>

namespace gateway::reconcile {

/// The name of the lease a scheduled run holds.
inline constexpr const char* kScheduledRunLease = "reconcile";

/// The last instant on or before `now` whose local time of day is `hh_mm` ("02:00"), in the time zone of this host.
/// nullopt for text that is not HH:MM.
std::optional<Poco::Timestamp> lastScheduledInstant(const std::string& hh_mm, const Poco::Timestamp& now);

/// Whether a run with trigger "schedule" has started at or after `since`.
bool scheduledRunSince(ReconcileStore& store, const Poco::Timestamp& since);

}  // namespace gateway::reconcile
