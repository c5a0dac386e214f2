#pragma once

// profile::ProfileStore in memory, for unit tests of what reads profiles (the profile routes). Every method behaves
// as the SQL store's: a person's latest version is its current profile, and every version is read back without what
// the store keeps elsewhere (correction_json goes with the outbox entry, removed_reason and removed_on with the purge);
// queryProfiles applies each filter of ProfileQuery as the store does (an unknown birth date has no minimum age, a
// 12-digit prefix is one village) and refuses a prefix that is not digits or text that is not well-formed UTF-8;
// profileCounts counts current, non-removed profiles, each distinct code once per child.
//
// The SQL store's versions are written by commitProfiles; here a test writes them with add().

#include "gateway/profile/profile_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires.
class FakeProfileStore : public profile::ProfileStore {
public:
    std::optional<profile::ProfileVersion> profile(std::string_view person_id) override;
    std::vector<profile::ProfileVersion> profileHistory(std::string_view person_id) override;
    std::vector<profile::ProfileVersion> queryProfiles(const profile::ProfileQuery& query) override;
    std::vector<profile::DivisionCounts> profileCounts(std::string_view division_prefix,
                                                       std::size_t child_digits) override;

    /// Appends `version` as the person's next version, which becomes its current one, and returns its number (1 for
    /// a person's first, then +1; the given number is ignored). Everything else is kept as given, built_at too.
    /// Refuses what commitProfiles would (store::validateProfiles()).
    std::int64_t add(profile::ProfileVersion version);

private:
    std::mutex mutex_;
    std::map<std::string, std::vector<profile::ProfileVersion>, std::less<>> versions_;  // oldest first
};

}  // namespace gateway::testing
