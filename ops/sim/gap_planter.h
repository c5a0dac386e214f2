#pragma once

#include "ops/sim/city_params.h"
#include "ops/sim/city_paths.h"
#include "ops/sim/gap_rules.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/school_table.h"
#include "ops/sim/truth_files.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deptsim {

struct PlantResult {
    std::int64_t change = 0;  // the change number of the rows it rewrote or added (changes.csv), 0 when none
    std::int64_t drift = 0;   // the drift number of the rows it deleted (drift.csv), 0 when none
    std::array<std::vector<std::uint32_t>, kGapRules.size()> planted;  // per rule, the children planted
};

/// {"change":2,"drift":1,"planted":{"school_age_not_enrolled":[],"enrolled_not_in_population_register":
/// ["E0000012",…],…}}
std::string plantResultJson(const PlantResult& result);

/// Plants cases of the cross-department rules that a city has few or none of by nature, the way they arise in
/// real registers, so that a reconciliation test has enough of each (PROTOCOL.md, "Gaps"):
///
/// - enrolled_not_in_population_register: the population register no longer holds a pupil (the household's
///   registration moved out of the district, the child still goes to school here): the child's police rows are
///   deleted at the source, as a drift deletes them, and listed in drift.csv.
/// - assistance_no_longer_met: an orphan's or a de-facto unsupported child's allowance that was never stopped.
///   A parent who was missing (for 孤儿基本生活费) or in prison (for 事实无人抚养儿童基本生活补贴) is back, the other
///   parent dead, missing or unable: the facts say the child is no longer in that category (the parent's
///   previous_status keeps the story), while the civil record still pays. Existing civil records are rewritten
///   to show the allowance, or a new case is opened.
/// - identity_contradiction: a police record rewritten with a parent's ID number mistyped in one digit that
///   still passes the check digit (one mistyped digit in eleven does), for half of them, or with the child's sex
///   entered wrong, where another source has the right value.
///
/// Rewritten and new rows get timestamps after everything served, as a change's do (changes.csv, one change
/// number); the other rules have cases enough in any city of a few thousand children. Each child is planted for
/// one rule at most. The same city, seed and sequence of calls plants the same children.
class GapPlanter {
public:
    GapPlanter(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
               const Geography& geography, const NamePools& names);

    /// Plants up to `count` children for each of the three rules (fewer when the city has fewer candidates).
    /// Without a seed it draws from the city's seed and the change number it takes. Not thread-safe: one change,
    /// drift or plant at a time.
    PlantResult apply(int count, std::optional<std::uint64_t> seed, DriftLog& log);

private:
    CityParams params_;
    CityPaths paths_;
    SchoolDbSettings school_settings_;
    const Geography& geography_;
    const NamePools& names_;
};

}  // namespace deptsim
