#include "tests/support/fake_profile_store.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/text_checks.h"

#include <algorithm>
#include <set>

namespace gateway::testing {

using profile::DivisionCounts;
using profile::ProfileQuery;
using profile::ProfileVersion;

namespace {

/// A version as the store reads it back: the columns it keeps in the profile tables only.
ProfileVersion readBack(ProfileVersion version, bool with_json = true) {
    version.correction_json.clear();
    version.removed_reason.clear();
    version.removed_on.clear();
    if (!with_json) {
        version.profile_json.clear();
    }
    return version;
}

/// Whether a residence division lies under `prefix`, as the store's conditions select it: a 12-digit prefix is the
/// village itself, a shorter one any division that starts with it.
bool underPrefix(std::string_view division, std::string_view prefix) {
    return prefix.size() == 12 ? division == prefix : division.starts_with(prefix);
}

bool holds(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

void count(DivisionCounts& counts, const ProfileVersion& profile) {
    ++counts.children;
    // The store's profile_codes table holds each code of a profile once.
    for (const std::string& code :
         std::set<std::string>(profile.classifications.begin(), profile.classifications.end())) {
        ++counts.classifications[code];
    }
    for (const std::string& code : std::set<std::string>(profile.alerts.begin(), profile.alerts.end())) {
        ++counts.alerts[code];
    }
}

}  // namespace

std::int64_t FakeProfileStore::add(ProfileVersion version) {
    store::validateProfiles({version}, "");
    const std::lock_guard lock(mutex_);
    std::vector<ProfileVersion>& history = versions_[version.person_id];
    version.version = static_cast<std::int64_t>(history.size()) + 1;
    history.push_back(std::move(version));
    return history.back().version;
}

std::optional<ProfileVersion> FakeProfileStore::profile(std::string_view person_id) {
    const std::lock_guard lock(mutex_);
    const auto found = versions_.find(person_id);
    if (found == versions_.end()) {
        return std::nullopt;
    }
    return readBack(found->second.back());
}

std::vector<ProfileVersion> FakeProfileStore::profileHistory(std::string_view person_id) {
    const std::lock_guard lock(mutex_);
    std::vector<ProfileVersion> result;
    const auto found = versions_.find(person_id);
    if (found != versions_.end()) {
        for (const ProfileVersion& version : found->second) {
            result.push_back(readBack(version));
        }
    }
    return result;
}

std::vector<ProfileVersion> FakeProfileStore::queryProfiles(const ProfileQuery& query) {
    store::validateProfileQuery(query);
    const std::lock_guard lock(mutex_);
    std::vector<ProfileVersion> result;
    for (auto found = versions_.upper_bound(query.after_person);
         found != versions_.end() && result.size() < query.limit; ++found) {
        const ProfileVersion& current = found->second.back();
        const bool selected = (query.include_removed || !current.removed) &&
                              underPrefix(current.residence_division, query.division_prefix) &&
                              (query.classification.empty() || holds(current.classifications, query.classification)) &&
                              (query.alert.empty() || holds(current.alerts, query.alert)) &&
                              (query.born_after.empty() || current.birth_date > query.born_after) &&
                              // An unknown birth date sorts before every date but says nothing about the age.
                              (query.born_on_or_before.empty() ||
                               (!current.birth_date.empty() && current.birth_date <= query.born_on_or_before)) &&
                              (query.updated_since.empty() || current.built_at >= query.updated_since) &&
                              (query.id_number.empty() || current.id_number == query.id_number);
        if (selected) {
            result.push_back(readBack(current, query.with_profile_json));
        }
    }
    return result;
}

std::vector<DivisionCounts> FakeProfileStore::profileCounts(std::string_view division_prefix,
                                                            std::size_t child_digits) {
    store::requireDivisionPrefix(division_prefix);
    const std::lock_guard lock(mutex_);
    std::vector<DivisionCounts> result(1);
    result.front().division_prefix = std::string(division_prefix);
    std::map<std::string, DivisionCounts> below;
    for (const auto& [person_id, history] : versions_) {
        const ProfileVersion& current = history.back();
        if (current.removed || !underPrefix(current.residence_division, division_prefix)) {
            continue;
        }
        count(result.front(), current);
        // Only divisions with the digits of the level below have a place in it.
        if (child_digits > division_prefix.size() && current.residence_division.size() >= child_digits) {
            const std::string child = current.residence_division.substr(0, child_digits);
            DivisionCounts& counts = below[child];
            counts.division_prefix = child;
            count(counts, current);
        }
    }
    for (auto& [division, counts] : below) {
        result.push_back(std::move(counts));
    }
    return result;
}

}  // namespace gateway::testing
