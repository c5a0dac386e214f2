#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/city_generator.h"
#include "ops/sim/quarterly_drops.h"
#include "ops/sim/random.h"
#include "ops/sim/renderers.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/truth_files.h"

#include <array>
#include <cstdint>
#include <vector>

namespace deptsim {

/// Turns each generated child into its rows in the four sources: renders them, stores them (state, school table,
/// health drops) and records them in truth.csv and the counts.
class RowPlanner {
public:
    RowPlanner(const CityParams& params, const RenderContext& context, SimState& state, SchoolTable& school,
               TruthFiles& truth, QuarterlyDrops& drops, CityGenerator& generator)
        : params_(params),
          context_(context),
          state_(state),
          school_(school),
          truth_(truth),
          drops_(drops),
          generator_(generator),
          now_(cityNow(params)) {}

    void plan(const ChildFacts& child);
    /// Writes the school rows still batched.
    void finish();
    ServedCounts& counts() { return counts_; }

private:
    void emitWithExtras(Source source, const ChildFacts& child, Random& plan, const std::vector<RowKind>& extra,
                        bool likely_duplicate);
    EpochSeconds updatedAt(Source source, const ChildFacts& child, std::uint64_t serial);
    void emit(Source source, RowKind kind, const ChildFacts& child);

    const CityParams& params_;
    const RenderContext& context_;
    SimState& state_;
    SchoolTable& school_;
    TruthFiles& truth_;
    QuarterlyDrops& drops_;
    CityGenerator& generator_;
    EpochSeconds now_;
    std::array<std::uint64_t, 4> serials_{};
    std::array<std::uint64_t, 4> primaries_{};
    std::array<bool, 4> had_duplicate_{};
    std::array<bool, 4> had_unmappable_{};
    std::vector<SchoolRow> school_batch_;
    ServedCounts counts_;
};

}  // namespace deptsim
