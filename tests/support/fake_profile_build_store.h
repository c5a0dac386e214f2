#pragma once

// profile::ProfileBuildStore in memory, over the fakes of the stages around it, for unit tests of the profile job.
// Every method behaves as the SQL store's: persons are the staged records of the intake store joined with the link
// store's assignments, visited in person order with their records in (source, source_id) order; a commit is validated
// whole, writes the profiles whose hash or removal differs from the current version as that person's next version in
// the profile store, each with its outbox entry (the division it leaves as previous_division) and its
// "profile.version" exchange-log entry (the SQL store's detail), and skips the others; moves are the link store's.
// The entries go to the log before anything else, so that a refused entry writes nothing.

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/profile/profile_store.h"
#include "tests/support/fake_intake_store.h"
#include "tests/support/fake_link_store.h"
#include "tests/support/fake_outbox_store.h"
#include "tests/support/fake_profile_store.h"

#include <mutex>

namespace gateway::testing {

/// Thread-safe, as the port requires; a visitor may commit while it is called. Every store given, `log` and `clock`
/// (which dates a version built without a time) must outlive this one.
class FakeProfileBuildStore : public profile::ProfileBuildStore {
public:
    FakeProfileBuildStore(FakeIntakeStore& records, FakeLinkStore& links, FakeProfileStore& profiles,
                          FakeOutboxStore& outbox, audit::LogStore& log, const Clock& clock)
        : records_(records), links_(links), profiles_(profiles), outbox_(outbox), log_(log), clock_(clock) {}

    std::vector<profile::ProfileVersion> commitProfiles(const std::vector<profile::ProfileVersion>& profiles,
                                                        std::string_view actor) override;
    void forEachPerson(const std::function<void(const std::string& person_id,
                                                const std::vector<intake::StagedRecord>& records)>& visit) override;
    std::vector<std::string> profiledPersons() override;
    std::vector<profile::PersonMove> personMoves(std::int64_t after_seq) override;
    profile::ProfileState profileState() override;
    void setProfileState(const profile::ProfileState& state) override;
    std::vector<std::string> personsChangedAfter(std::int64_t after_batch_id) override;
    void forEachPersonIn(const std::vector<std::string>& persons,
                         const std::function<void(const std::string& person_id,
                                                  const std::vector<intake::StagedRecord>& records)>& visit) override;

private:
    using Persons = std::map<std::string, std::vector<intake::StagedRecord>>;

    /// Every person with its linked records, read from the intake and link stores at once.
    Persons persons();

    FakeIntakeStore& records_;
    FakeLinkStore& links_;
    FakeProfileStore& profiles_;
    FakeOutboxStore& outbox_;
    audit::LogStore& log_;
    const Clock& clock_;
    std::mutex mutex_;  // orders commits, as the SQL store's lock on the profiles does
    profile::ProfileState state_;
};

}  // namespace gateway::testing
