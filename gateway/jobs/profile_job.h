#pragma once

#include "gateway/profile/profile_builder.h"
#include "gateway/store/store.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace gateway::jobs {

struct ProfileRunReport {
    std::uint64_t persons = 0;  ///< profiles built
    std::uint64_t written = 0;  ///< new versions (changed or new profiles)
    std::uint64_t removed = 0;  ///< persons that no longer exist
};

/// Rebuilds every person's profile from its linked records and writes the ones that changed as new versions.
class ProfileJob {
public:
    /// `config` must outlive the job.
    ProfileJob(store::Store& store, const profile::ProfileConfig& config);

    ProfileRunReport run(const std::string& actor, const std::function<void(const std::string&)>& progress = {});

private:
    store::Store& store_;
    const profile::ProfileConfig& config_;
    std::mutex mutex_;  // one rebuild at a time in this process
};

}  // namespace gateway::jobs
