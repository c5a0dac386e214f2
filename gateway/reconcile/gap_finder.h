#pragma once

// Across departments: the children who fall between them (in the population register at 9 but in no school, born in
// hospital and never registered, paid an allowance their situation no longer supports, on record as in difficulty
// but confirmed by nobody for months, or described differently by two departments). Rules (config/reconcile/
// gaps.json, in the profile rule language) judge each linked person at the run's as-of date; this builds what they
// read and turns what fires into findings.

#include "gateway/intake/intake_store.h"
#include "gateway/model/calendar_date.h"
#include "gateway/profile/profile_builder.h"
#include "gateway/profile/rules.h"
#include "gateway/reconcile/reconcile_store.h"

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace gateway::reconcile {

/// The rules and what each says about itself (label, the departments involved).
class GapRules {
public:
    /// config/reconcile/gaps.json as compiled into the executable.
    static GapRules builtin();
    /// A file in the same language; GatewayError(InvalidConfig) naming its line for any mistake, or a rule whose
    /// "departments" is not a list of names.
    static GapRules load(const std::string& path);
    static GapRules parse(std::string_view json, std::string_view origin);

    const profile::RuleSet& rules() const { return rules_; }
    /// The departments a rule names; empty when the evidence decides (the sources of the person's records).
    const std::vector<std::string>& departments(const std::string& code) const;
    std::vector<std::string> codes() const { return rules_.codes(); }
    /// A rule's label (Chinese, for people); "" for an unknown code.
    std::string label(const std::string& code) const;

private:
    explicit GapRules(profile::RuleSet rules);
    profile::RuleSet rules_;
    std::vector<std::pair<std::string, std::vector<std::string>>> departments_;
    std::vector<std::pair<std::string, std::string>> labels_;
};

/// Every kind of finding a run may record, with its label, in the order reports list them: the disagreements of a
/// source with the gateway (discrepancyName()), then the rules.
std::vector<std::pair<std::string, std::string>> findingKinds(const GapRules& rules);

/// Judges one person at a time. Thread-compatible: one finder per thread, or calls one at a time.
class GapFinder {
public:
    /// `profiles` builds each person's profile as the profile job would on `as_of`.
    GapFinder(const profile::ProfileConfig& profiles, const GapRules& rules, const model::CalendarDate& as_of);

    /// What the rules read for a person with these staged records:
    ///   {"profile": the profile built on the as-of date,
    ///    "sources": {SOURCE: [canonical record, …]} (only sources the person has records from),
    ///    "age": full years on the as-of date, "days_since_birth": days (both absent without a valid birth date),
    ///    "days_since_confirmed": days since the newest record was observed,
    ///    "active_assistance": [{"type", "source", "source_id"}] entries of any record not ended on the as-of date,
    ///    "contradictions": [{"field": "/birth_date" | "/sex" | "/guardians/father/id_number" | …,
    ///                        "values": [{"value", "sources": […]}]}]: fields on which two departments give two
    ///                        different valid values}
    rapidjson::Document document(const std::string& person_id, const std::vector<intake::StagedRecord>& records) const;

    /// One finding per rule that holds, with the person, the division of residence, and the evidence: the rule, its
    /// label, the departments, the reasons, the person's records, and the route (township, village).
    std::vector<Finding> find(const std::string& person_id, const std::vector<intake::StagedRecord>& records) const;

private:
    const profile::ProfileConfig& profiles_;
    const GapRules& rules_;
    model::CalendarDate as_of_;
    profile::ProfileBuilder builder_;
};

}  // namespace gateway::reconcile
