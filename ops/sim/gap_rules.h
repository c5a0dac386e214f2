#pragma once

#include "ops/sim/city_paths.h"
#include "ops/sim/school_table.h"

#include "gateway/model/calendar_date.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deptsim {

/// The children who fall between departments, as the gateway's cross-department reconciliation looks for them
/// (PROTOCOL.md, "Gaps"). The codes are the gateway's.
enum class GapRule {
    SchoolAgeNotEnrolled,             // 控辍保学: 6–15, registered, not at school or dropped out
    EnrolledNotInPopulationRegister,  // at school, unknown to the population register
    NewbornUnregistered,              // a birth record, no registration, at least 30 days old
    AssistanceNoLongerMet,  // an orphan's or de-facto unsupported child's allowance the facts no longer support
    StaleClassification,    // in a policy category, and no source has said anything for 180 days
    IdentityContradiction,  // two sources disagree on birth date, sex or a parent's ID number
};

inline constexpr std::array<GapRule, 6> kGapRules{
    GapRule::SchoolAgeNotEnrolled, GapRule::EnrolledNotInPopulationRegister,
    GapRule::NewbornUnregistered,  GapRule::AssistanceNoLongerMet,
    GapRule::StaleClassification,  GapRule::IdentityContradiction};

/// school_age_not_enrolled, enrolled_not_in_population_register, newborn_unregistered, assistance_no_longer_met,
/// stale_classification, identity_contradiction.
std::string_view gapRuleName(GapRule rule);

/// How many days before the as-of date a row must be for stale_classification: every row older than this.
inline constexpr int kStaleDays = 180;
/// The age in days from which an unregistered newborn counts.
inline constexpr int kNewbornDays = 30;

/// Per rule, the children (entity numbers, ascending) it finds on the as-of date.
struct GapTruth {
    gateway::model::CalendarDate as_of;
    std::array<std::vector<std::uint32_t>, kGapRules.size()> entities;

    const std::vector<std::uint32_t>& of(GapRule rule) const { return entities[static_cast<std::size_t>(rule)]; }
};

/// Applies the six rules to the city as it is now (after every change and drift): the rows the sources serve,
/// read as the gateway's mappings read them, and the children's current facts in children.jsonl.
GapTruth findGaps(const CityPaths& paths, const SchoolDbSettings& school, const gateway::model::CalendarDate& as_of);

/// gaps.csv: the header `rule,entity_id`, then one line per child per rule, sorted.
std::string gapsCsv(const GapTruth& truth);

/// {"as_of":"2026-11-01","rules":{"school_age_not_enrolled":n,…}}, the rules in kGapRules order.
std::string gapsJson(const GapTruth& truth);

/// Finds the gaps and writes DIR/truth/gaps.csv atomically; returns what it wrote.
GapTruth writeGaps(const CityPaths& paths, const SchoolDbSettings& school, const gateway::model::CalendarDate& as_of);

}  // namespace deptsim
