#pragma once

#include "ops/sim/city_params.h"
#include "ops/sim/city_paths.h"
#include "ops/sim/facts_book.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/truth_files.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace deptsim {

/// The sources a drift works on. The health drop is left out: a file once dropped is never served again, so a
/// gateway has nothing to compare it with.
inline constexpr std::array<Source, 3> kDriftSources{Source::Police, Source::School, Source::Civil};

struct DriftResult {
    std::int64_t drift = 0;                 // 1 for the first drift of the city, and so on
    std::array<std::int64_t, 4> deleted{};  // per source (indexed by Source)
    std::array<std::int64_t, 4> silent{};
};

/// {"drift":1,"deleted":{"police_population":n,"school_register":n,"civil_rescue":n},"silent":{…}}
std::string driftResultJson(const DriftResult& result);

/// Makes the sources drift away from what a gateway staged of them, the way nothing but a whole comparison
/// notices: rows deleted at the source, and rows edited in place without a newer watermark (police updated_at,
/// civil modified, school updated_seq stay as they were). Every row it touches is a line of truth/drift.csv.
///
/// A silent edit always changes a value the gateway's mapping keeps, so the canonical record differs: police a
/// parent's phone (fq/mq lxdh), civil the guardian's phone, school the absence days (wgqk_ts), or the guardian's
/// phone (jhrdh) on a transferred-out row, which shows no absence. The new fact goes to children.jsonl as a change
/// would write it (a phone is the household's: every sibling's facts get it; their rows keep the old number until
/// something rewrites them, as with a change).
///
/// Deliberately unmappable rows are never picked: the gateway quarantines them whatever the source does, so
/// reconciliation has nothing to find there. A police row whose noise leaves both parents' phones out is never
/// silently edited either (nothing mapped would show the edit).
class DriftApplier {
public:
    DriftApplier(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                 const Geography& geography, const NamePools& names);

    /// Deletes a `delete_fraction` of each source's rows and silently edits a `silent_fraction` of the rows it
    /// did not delete; both in [0, 1], at least one above 0. Rows are picked from the seed as a change picks
    /// them (without a seed: from the city's seed and the drift's number), so the same city, seed and sequence of
    /// calls drifts the same rows. The drift.csv lines are on disk before it returns. Not thread-safe: one change
    /// or drift at a time.
    DriftResult apply(double delete_fraction, double silent_fraction, std::optional<std::uint64_t> seed, DriftLog& log);

private:
    CityParams params_;
    CityPaths paths_;
    SchoolDbSettings school_settings_;
    const Geography& geography_;
    const NamePools& names_;
};

}  // namespace deptsim
