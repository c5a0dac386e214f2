#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/city_params.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/random.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace deptsim {

/// Generates the city one household at a time, so a million children never sit in memory together. Each
/// household is drawn from its own seed; only the ID and certificate serial counters carry over between
/// households, which is why households must be generated in order.
class CityGenerator {
public:
    CityGenerator(const CityParams& params, const Geography& geography, const NamePools& names);

    /// The children of the next household, with entity numbers following on from the last household's; empty
    /// once the city has all its children.
    std::vector<ChildFacts> nextHousehold();

    std::uint32_t households() const { return households_; }
    std::uint32_t children() const { return children_; }

    /// A new birth certificate number for a birth in `birth_year`, as a reissued certificate gets.
    std::string issueCertNo(int birth_year);

private:
    struct Household;

    std::string assignId(std::string_view region, const gateway::model::CalendarDate& birth, int sex);
    ParentFacts makeParent(Random& random, const std::string& surname, int sex,
                           const gateway::model::CalendarDate& birth, const std::string& region);
    gateway::model::CalendarDate drawBirthDate(Random& random) const;
    void placeHousehold(Random& random, Household& household);
    void setParents(Random& random, Household& household);
    void setGuardian(Random& random, Household& household);
    ChildFacts makeChild(Random& random, const Household& household, const gateway::model::CalendarDate& birth,
                         const std::string& shared_first);
    void setEnrolment(Random& random, const Household& household, ChildFacts& child) const;
    void setAssistanceAndCase(Random& random, const Household& household, ChildFacts& child) const;
    std::string phone(Random& random) const;

    const CityParams& params_;
    const Geography& geography_;
    const NamePools& names_;
    std::uint32_t households_ = 0;
    std::uint32_t children_ = 0;
    std::uint32_t young_children_ = 0;  // aged 0–3, the ones the health system exports
    WeightedPicker years_ago_;          // birth cohorts by how many children were born each year
    std::unordered_map<std::uint64_t, std::uint16_t> id_sequences_;
    std::unordered_map<int, std::uint32_t> cert_serials_;
};

}  // namespace deptsim
