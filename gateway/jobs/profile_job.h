#pragma once

#include "gateway/linkage/link_store.h"
#include "gateway/model/calendar_date.h"
#include "gateway/profile/profile_builder.h"
#include "gateway/profile/profile_store.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace gateway::jobs {

struct ProfileRunOptions {
    bool full = false;  ///< rebuild every person, not only those whose records changed
    std::string actor = "gateway";
    std::function<void(const std::string&)> progress;
};

struct ProfileRunReport {
    bool incremental = false;   ///< only the persons whose records changed were rebuilt
    std::uint64_t persons = 0;  ///< profiles built
    std::uint64_t written = 0;  ///< new versions (changed or new profiles)
    std::uint64_t removed = 0;  ///< persons that no longer exist
    std::string as_of;          ///< the date ages were taken on
};

/// Builds the profiles of the persons whose linked records changed since the last build (and of those that gave or
/// took records in a split or merge, with the correction their subscribers need), writing the ones that changed as
/// new versions. Everyone is rebuilt on the first build, on request, and when the as-of date moves (ages and
/// classifications change with the calendar, not only with the records).
class ProfileJob {
public:
    /// `config` must outlive the job. `today` gives the as-of date of each build; by default config.as_of.
    /// `profiles` reads a person's current version; `links` says how far linking has come.
    ProfileJob(profile::ProfileBuildStore& builds, profile::ProfileStore& profiles, linkage::LinkStore& links,
               const profile::ProfileConfig& config, std::function<model::CalendarDate()> today = {});

    ProfileRunReport run(const ProfileRunOptions& options);

private:
    profile::ProfileBuildStore& builds_;
    profile::ProfileStore& profiles_;
    linkage::LinkStore& links_;
    const profile::ProfileConfig& config_;
    std::function<model::CalendarDate()> today_;
    std::mutex mutex_;  // one build at a time in this process
};

}  // namespace gateway::jobs
