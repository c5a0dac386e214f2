#include "tests/support/fake_purge_store.h"

#include "gateway/common/json_writer.h"
#include "gateway/store/log_details.h"
#include "gateway/store/text_checks.h"

#include <set>

namespace gateway::testing {

using profile::PurgeOutcome;

namespace {

constexpr const char* kAdult = "adult";

}  // namespace

std::vector<std::string> FakePurgeStore::profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> result;
    for (const auto& [person_id, person] : persons_) {
        if (result.size() >= limit) {
            break;
        }
        // As the SQL store: dates compare as text, which is date order for YYYY-MM-DD.
        if (person.removed_reason == kAdult && person.removed_on <= removed_on_or_before && !person.purged) {
            result.push_back(person_id);
        }
    }
    return result;
}

std::vector<std::string> FakePurgeStore::purgedWithRecords(std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> result;
    for (const auto& [person_id, person] : persons_) {
        if (result.size() >= limit) {
            break;
        }
        if (person.removed_reason == kAdult && person.purged && person.held.records > 0) {
            result.push_back(person_id);
        }
    }
    return result;
}

std::vector<PurgeOutcome> FakePurgeStore::purgeProfiles(const std::vector<std::string>& persons,
                                                        std::string_view actor) {
    store::requireText("actor", actor, "the purge");
    std::set<std::string> wanted;
    for (const std::string& person : persons) {
        store::requireNonEmptyText("person_id", person, "the purge");
        wanted.insert(person);
    }
    std::vector<PurgeOutcome> outcomes;
    if (wanted.empty()) {
        return outcomes;
    }
    const std::string at = formatIso(clock_.now());
    const std::lock_guard lock(mutex_);
    std::vector<Person*> erased;
    for (const std::string& person_id : wanted) {
        const auto found = persons_.find(person_id);
        if (found == persons_.end() || !found->second.removed || found->second.removed_reason != kAdult) {
            continue;
        }
        const Person& person = found->second;
        if (person.purged && person.held.records == 0) {
            continue;  // purged before, and nothing came back since: nothing to erase or log
        }
        PurgeOutcome& outcome = outcomes.emplace_back();
        outcome.person_id = person_id;
        outcome.removed_on = person.removed_on;
        // The versions were erased by the first purge of this removal; only records can come back after it.
        outcome.versions = person.purged ? 0 : person.held.versions;
        outcome.records = person.held.records;
        outcome.review_pairs = person.held.records > 0 ? person.held.review_pairs : 0;
        erased.push_back(&found->second);
    }
    std::vector<audit::ExchangeLogEntry> entries;
    for (const PurgeOutcome& outcome : outcomes) {
        entries.push_back({0, at, std::string(actor), "profile.purge", outcome.person_id, store::purgeDetail(outcome)});
    }
    if (!entries.empty()) {
        // First: it is the one write here that may be refused, and then nothing is erased.
        log_.appendExchangeLog(entries);
    }
    for (Person* person : erased) {
        person->held = Holdings{};
        person->purged = true;
    }
    return outcomes;
}

void FakePurgeStore::addChild(const std::string& person_id, Holdings held) {
    const std::lock_guard lock(mutex_);
    Person& person = persons_[person_id];
    person.removed = false;
    person.removed_reason.clear();
    person.removed_on.clear();
    person.purged = false;
    person.held.versions += held.versions;
    person.held.records += held.records;
    person.held.review_pairs += held.review_pairs;
}

void FakePurgeStore::addRemoval(const std::string& person_id, const std::string& reason, const std::string& removed_on,
                                Holdings held) {
    const std::lock_guard lock(mutex_);
    Person& person = persons_[person_id];
    person.removed = true;
    person.removed_reason = reason;
    person.removed_on = removed_on;
    person.purged = false;
    person.held.versions += held.versions;
    person.held.records += held.records;
    person.held.review_pairs += held.review_pairs;
}

void FakePurgeStore::stageRecords(const std::string& person_id, std::int64_t records, std::int64_t review_pairs) {
    const std::lock_guard lock(mutex_);
    Person& person = persons_[person_id];
    person.held.records += records;
    person.held.review_pairs += review_pairs;
}

std::optional<FakePurgeStore::Holdings> FakePurgeStore::holdings(std::string_view person_id) {
    const std::lock_guard lock(mutex_);
    const auto found = persons_.find(person_id);
    if (found == persons_.end()) {
        return std::nullopt;
    }
    return found->second.held;
}

bool FakePurgeStore::purged(std::string_view person_id) {
    const std::lock_guard lock(mutex_);
    const auto found = persons_.find(person_id);
    return found != persons_.end() && found->second.purged;
}

}  // namespace gateway::testing
