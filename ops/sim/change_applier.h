#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/city_params.h"
#include "ops/sim/city_paths.h"
#include "ops/sim/facts_book.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace deptsim {

struct ChangeResult {
    std::int64_t change = 0;                // 1 for the first change of the city, and so on
    std::array<std::int64_t, 4> changed{};  // rows rewritten per source
    std::string since;                      // police/civil: every changed row has updated_at/modified >= this
    std::int64_t school_seq_after = 0;      // school: every changed row has updated_seq > this
    std::string drop;                       // health: the new drop's file name ("" when no birth changed)
    bool drop_half_written = false;         // the half_csv fault left it without a marker
    std::string completed_drop;             // a half-written drop this change completed
};

/// {"change":1,"changed":{"police_population":12,…},"since":…,"school_seq_after":…,"drop":…,…}
std::string changeResultJson(const ChangeResult& result);

/// Rewrites a fraction of every source's rows as the departments would: some facts change (a parent leaves for
/// work or comes back, a household moves, a pupil drops out, assistance ends or starts), the rows get new
/// timestamps after everything served so far (police updated_at, civil modified, school updated_seq, a new
/// health drop), and their errors are drawn afresh, so some typos are corrected and some made. The truth files
/// record the new facts (a further children.jsonl line) and the changed rows (changes.csv).
class ChangeApplier {
public:
    ChangeApplier(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                  const Geography& geography, const NamePools& names);

    /// `fraction` in (0, 1]. Without a seed the change draws from the city's seed and its number, so the
    /// sequence of changes is as reproducible as the city. With `half_csv` the health drop is left half-written
    /// until the next change completes it. Not thread-safe: one change at a time.
    ChangeResult apply(double fraction, std::optional<std::uint64_t> seed, bool half_csv);

private:
    bool mutate(FactsBook& book, Source source, std::uint32_t entity, std::uint64_t change_seed,
                const gateway::model::CalendarDate& on);

    CityParams params_;
    CityPaths paths_;
    SchoolDbSettings school_settings_;
    const Geography& geography_;
    const NamePools& names_;
};

}  // namespace deptsim
