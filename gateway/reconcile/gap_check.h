#pragma once

// The cross-department phase of a run over every linked person: the store's walk feeds batches of persons to worker
// threads, each with its own finder, which write their findings as they go. Memory holds a few batches, whatever
// the size of the city.

#include "gateway/model/calendar_date.h"
#include "gateway/profile/profile_store.h"
#include "gateway/reconcile/gap_finder.h"
#include "gateway/reconcile/reconcile_store.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace gateway::reconcile {

struct GapCounts {
    std::int64_t persons = 0;
    std::map<std::string, std::int64_t> findings;  // per rule, every rule listed
};

/// Judges every person `persons` holds on `as_of` with `threads` workers (at least 1) and adds the findings to run
/// `run_id`. `progress`, if set, is called from the walk's thread with the persons judged so far, every 10,000.
/// Throws what a worker or the walk threw, after every worker has stopped.
GapCounts judgeEveryPerson(profile::ProfileBuildStore& persons, const profile::ProfileConfig& profiles,
                           const GapRules& rules, const model::CalendarDate& as_of, ReconcileStore& store,
                           std::int64_t run_id, unsigned threads,
                           const std::function<void(std::int64_t persons)>& progress = {});

}  // namespace gateway::reconcile
