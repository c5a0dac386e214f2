#pragma once

#include "gateway/model/calendar_date.h"
#include "gateway/profile/assembly.h"
#include "gateway/profile/profile_store.h"
#include "gateway/profile/rules.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gateway::profile {

/// Which source's value a field takes (config/profile/survivorship.json).
struct Survivorship {
    std::vector<std::string> default_order;
    std::map<std::string, std::vector<std::string>> fields;  ///< profile pointer (or a prefix of it) → sources
    std::vector<std::string> conflicts;                      ///< fields whose disagreements are listed

    /// The source order for a field: the longest listed pointer that is the field or a prefix of it, else default.
    const std::vector<std::string>& orderFor(const std::string& pointer) const;

    /// Throws GatewayError(InvalidConfig) naming the JSON pointer of the mistake.
    static Survivorship parse(std::string_view json, std::string_view origin);
};

/// Everything that shapes a profile: survivorship, classification and alert rules, the date ages are taken on, and
/// which parts of the records become which parts of the profile.
struct ProfileConfig {
    Survivorship survivorship;
    RuleSet classification;
    RuleSet alerts;
    model::CalendarDate as_of;
    int new_case_days = 30;
    Assembly assembly;

    /// The configuration compiled into the executable (config/profile/*.json), on `as_of`.
    static ProfileConfig builtin(const model::CalendarDate& as_of);
    /// The files of `dir` (survivorship.json, classification.json, alerts.json, and assembly.json when there; else
    /// the built-in assembly), on `as_of`.
    static ProfileConfig load(const std::string& dir, const model::CalendarDate& as_of);

    /// Throws GatewayError(InvalidConfig) naming `origin` unless `source`, a configured source, is in survivorship's
    /// default order: a source missing there would silently rank last for every field.
    void checkSource(const std::string& source, const std::string& origin) const;
};

/// Builds one child's profile from the staged records linked into the person: survivor values with their provenance
/// (source, source record, observed time), conflicts listed, classifications and alerts with their reasons.
class ProfileBuilder {
public:
    /// Ages are taken on `as_of` when given, else on config.as_of.
    explicit ProfileBuilder(const ProfileConfig& config, std::optional<model::CalendarDate> as_of = std::nullopt)
        : config_(&config), as_of_(as_of.value_or(config.as_of)) {}

    /// The profile, or, for a person 18 or older on the as-of date, a removed version saying so (see adult()): the
    /// day a child comes of age the profile leaves every view, list and push, and subscribers get a retraction.
    profile::ProfileVersion build(const std::string& person_id, const std::vector<intake::StagedRecord>& records) const;

    /// A version saying the person no longer exists (its records now belong to other persons).
    profile::ProfileVersion removed(const std::string& person_id) const;

    /// A removed version saying the person came of age: it holds the person ID and nothing personal.
    profile::ProfileVersion adult(const std::string& person_id) const;

    /// Whether a version is the one adult() writes.
    static bool isAdult(const profile::ProfileVersion& version);

    const model::CalendarDate& asOf() const { return as_of_; }

private:
    const ProfileConfig* config_;
    model::CalendarDate as_of_;
};

}  // namespace gateway::profile
