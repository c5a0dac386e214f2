#pragma once

#include "gateway/model/calendar_date.h"
#include "gateway/profile/profile_store.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gateway::jobs {

struct PurgeOptions {
    int after_days = 90;      ///< days between a child's removal as adult and the purge of its personal data
    bool dry_run = false;     ///< list the persons that would be purged, erase nothing
    std::size_t batch = 200;  ///< persons per transaction
    std::string actor = "gateway";
};

struct PurgeReport {
    std::string cutoff;  ///< persons removed as adult on or before this date were due
    std::uint64_t persons = 0;
    std::uint64_t versions = 0;
    std::uint64_t records = 0;
    std::uint64_t review_pairs = 0;
    std::vector<std::string> due;  ///< with dry_run: the persons that would be purged (at most one batch)
};

/// Minimum necessary, for as long as necessary: a child who comes of age leaves every view that day (the profile
/// build), and `after_days` later what the store holds about them is erased (see PurgeStore::purgeProfiles), one
/// "profile.purge" exchange-log entry each. Safe to run on several nodes at once: a person already purged is
/// skipped.
class PurgeJob {
public:
    /// `today` gives the date the period is counted back from: the profile build's as-of date.
    PurgeJob(profile::PurgeStore& store, std::function<model::CalendarDate()> today);

    PurgeReport run(const PurgeOptions& options);

private:
    profile::PurgeStore& store_;
    std::function<model::CalendarDate()> today_;
};

}  // namespace gateway::jobs
