#include "ops/sim/family_situation.h"

#include <array>

namespace deptsim {

namespace {

struct ScenarioShare {
    Scenario scenario;
    double rural;
    double urban;
};

constexpr std::array<ScenarioShare, 11> kScenarios{{
    {Scenario::BothPresent, 0.6105, 0.8625},
    {Scenario::FatherAway, 0.12, 0.05},
    {Scenario::MotherAway, 0.025, 0.01},
    {Scenario::BothAway, 0.15, 0.02},
    {Scenario::AwayAndIncapable, 0.02, 0.003},
    {Scenario::OneGone, 0.012, 0.01},
    {Scenario::OneIncapable, 0.02, 0.02},
    {Scenario::OneConfined, 0.008, 0.006},
    {Scenario::Unsupported, 0.0065, 0.0035},
    {Scenario::Orphan, 0.003, 0.0015},
    {Scenario::FatherUnknown, 0.025, 0.0135},
}};

}  // namespace

Scenario drawScenario(Random& random, bool rural) {
    double draw = random.uniform();
    for (const auto& share : kScenarios) {
        draw -= rural ? share.rural : share.urban;
        if (draw < 0) {
            return share.scenario;
        }
    }
    return Scenario::BothPresent;
}

ParentStatus incapableStatus(Random& random) {
    static constexpr std::array<ParentStatus, 4> kStatuses{ParentStatus::SevereDisability, ParentStatus::SeriousIllness,
                                                           ParentStatus::Imprisoned, ParentStatus::DetainedOrRehab};
    static constexpr std::array<double, 4> kShares{0.35, 0.3, 0.25, 0.1};
    double draw = random.uniform();
    for (std::size_t i = 0; i < kStatuses.size(); ++i) {
        draw -= kShares[i];
        if (draw < 0) {
            return kStatuses[i];
        }
    }
    return kStatuses.back();
}

ParentStatus unsupportingStatus(Random& random) {
    if (random.chance(0.1)) {
        return random.chance(0.5) ? ParentStatus::GuardianshipRevoked : ParentStatus::Deported;
    }
    return incapableStatus(random);
}

ParentStatus goneStatus(Random& random) {
    return random.chance(0.75) ? ParentStatus::Deceased : ParentStatus::Missing;
}

}  // namespace deptsim
