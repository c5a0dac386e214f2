#pragma once

// profile::PurgeStore in memory, for unit tests of the purge job. Every method behaves as the SQL store's: a person
// is due once its current profile is an adult's removal on or before the cutoff and it is not purged yet; a purge
// erases the content of the live versions once (a later purge of the same removal finds none), deletes the staged
// records and erases the review pairs that name them; it skips anyone whose current profile is not an adult's
// removal, and a purged person with no record staged since; it appends one "profile.purge" entry per person purged
// (the SQL store's detail) to the exchange log given, before anything else, so that a refused entry erases nothing.
//
// What a person holds is kept as counts that a test seeds: the versions, records and review pairs themselves live
// behind other ports (and their fakes).

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/profile/profile_store.h"

#include <map>
#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires. `log` and `clock` (which dates the purges) must outlive the store.
class FakePurgeStore : public profile::PurgeStore {
public:
    /// What the store holds about one person that a purge erases.
    struct Holdings {
        std::int64_t versions = 0;      ///< live versions whose content is not erased yet
        std::int64_t records = 0;       ///< staged records linked into the person
        std::int64_t review_pairs = 0;  ///< review pairs that name one of those records (none without records)
    };

    FakePurgeStore(audit::LogStore& log, const Clock& clock) : log_(log), clock_(clock) {}

    std::vector<std::string> profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) override;
    std::vector<std::string> purgedWithRecords(std::size_t limit) override;
    std::vector<profile::PurgeOutcome> purgeProfiles(const std::vector<std::string>& persons,
                                                     std::string_view actor) override;

    /// A version written that makes the person's current profile live (a child), adding `held` to what the person
    /// holds. As commitProfiles, it clears an earlier removal and purge.
    void addChild(const std::string& person_id, Holdings held);
    /// A version written that makes the person's current profile a removal for `reason` ("adult", "gone") as of
    /// `removed_on` (YYYY-MM-DD), adding `held` to what the person holds. It clears an earlier purge.
    void addRemoval(const std::string& person_id, const std::string& reason, const std::string& removed_on,
                    Holdings held);
    /// Records of the person staged again (a source sent them again) without a new version, with the review pairs
    /// that name them (the SQL store erases every pair naming a record it deletes, one erased before included).
    void stageRecords(const std::string& person_id, std::int64_t records, std::int64_t review_pairs = 0);

    /// What the person holds now; nullopt for a person never seeded.
    std::optional<Holdings> holdings(std::string_view person_id);
    /// Whether the person's current removal was purged.
    bool purged(std::string_view person_id);

private:
    struct Person {
        bool removed = false;
        std::string removed_reason;
        std::string removed_on;
        bool purged = false;
        Holdings held;
    };

    audit::LogStore& log_;
    const Clock& clock_;
    std::mutex mutex_;
    std::map<std::string, Person, std::less<>> persons_;
};

}  // namespace gateway::testing
