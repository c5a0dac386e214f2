#include "tests/support/fake_profile_build_store.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/text_checks.h"

#include <limits>
#include <set>

namespace gateway::testing {

using intake::StagedRecord;
using profile::ProfileVersion;

namespace {}  // namespace

std::vector<ProfileVersion> FakeProfileBuildStore::commitProfiles(const std::vector<ProfileVersion>& profiles,
                                                                  std::string_view actor) {
    store::validateProfiles(profiles, actor);
    std::vector<ProfileVersion> written;
    if (profiles.empty()) {
        return written;
    }
    const std::string at = formatIso(clock_.now());
    const std::lock_guard lock(mutex_);
    std::vector<std::string> previous_divisions;
    std::vector<audit::ExchangeLogEntry> entries;
    for (const ProfileVersion& profile : profiles) {
        const std::optional<ProfileVersion> current = profiles_.profile(profile.person_id);
        // An unchanged profile is skipped; a removal that kept the hash is still a change of state.
        if (current && current->content_hash == profile.content_hash && current->removed == profile.removed) {
            continue;
        }
        ProfileVersion& version = written.emplace_back(profile);
        version.version = current ? current->version + 1 : 1;
        if (version.built_at.empty()) {
            version.built_at = at;
        }
        previous_divisions.push_back(current ? current->residence_division : std::string());
        entries.push_back({0, version.built_at, std::string(actor), "profile.version", version.person_id,
                           store::versionDetail(version)});
    }
    if (written.empty()) {
        return written;
    }
    // First: it is the one write here that may be refused, and then nothing else is written.
    log_.appendExchangeLog(entries);
    for (std::size_t i = 0; i < written.size(); ++i) {
        const ProfileVersion& version = written[i];
        if (profiles_.add(version) != version.version) {
            throw GatewayError(ErrorCode::Internal, "the profile store numbered a version of " +
                                                        utf8::quote(version.person_id) + " another way");
        }
        publish::OutboxEntry entry;
        entry.person_id = version.person_id;
        entry.version = version.version;
        entry.division = version.residence_division;
        entry.previous_division = previous_divisions[i];
        entry.removed = version.removed;
        entry.correction_json = version.correction_json;
        entry.created_at = version.built_at;
        entry.profile_json = version.profile_json;
        outbox_.appendVersion(std::move(entry));
    }
    return written;
}

FakeProfileBuildStore::Persons FakeProfileBuildStore::persons() {
    // One read of each store: the snapshot the SQL store reads in.
    std::map<std::pair<std::string, std::string>, StagedRecord> records;
    for (StagedRecord& record : records_.stagedRecords()) {
        records.emplace(std::make_pair(record.source, record.source_id), std::move(record));
    }
    Persons persons;
    // personLinks() is in (source, source_id) order, so each person's records are too.
    for (const linkage::PersonLink& link : links_.personLinks()) {
        const auto found = records.find({link.source, link.source_id});
        if (found != records.end()) {
            persons[link.person_id].push_back(found->second);
        }
    }
    return persons;
}

void FakeProfileBuildStore::forEachPerson(
    const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) {
    for (const auto& [person_id, records] : persons()) {
        visit(person_id, records);
    }
}

void FakeProfileBuildStore::forEachPersonIn(
    const std::vector<std::string>& wanted,
    const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) {
    const std::set<std::string> selected(wanted.begin(), wanted.end());
    for (const auto& [person_id, records] : persons()) {
        if (selected.contains(person_id)) {
            visit(person_id, records);
        }
    }
}

std::vector<std::string> FakeProfileBuildStore::profiledPersons() {
    profile::ProfileQuery query;
    query.with_profile_json = false;
    query.limit = std::numeric_limits<std::size_t>::max();
    std::vector<std::string> result;
    for (const ProfileVersion& current : profiles_.queryProfiles(query)) {
        result.push_back(current.person_id);
    }
    return result;
}

std::vector<profile::PersonMove> FakeProfileBuildStore::personMoves(std::int64_t after_seq) {
    return links_.personMoves(after_seq);
}

profile::ProfileState FakeProfileBuildStore::profileState() {
    const std::lock_guard lock(mutex_);
    return state_;
}

void FakeProfileBuildStore::setProfileState(const profile::ProfileState& state) {
    store::requireText("as_of", state.as_of, "the profile state");
    const std::lock_guard lock(mutex_);
    state_ = state;
}

std::vector<std::string> FakeProfileBuildStore::personsChangedAfter(std::int64_t after_batch_id) {
    std::vector<std::string> result;
    for (const auto& [person_id, records] : persons()) {
        for (const StagedRecord& record : records) {
            if (record.batch_id > after_batch_id) {
                result.push_back(person_id);
                break;
            }
        }
    }
    return result;
}

}  // namespace gateway::testing
