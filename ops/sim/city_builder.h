#pragma once

#include "ops/sim/city_params.h"
#include "ops/sim/city_paths.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"

#include <optional>
#include <ostream>
#include <stdexcept>

namespace deptsim {

/// Generates the whole city into the folder: the state, the school table, the health drops and the truth
/// files, replacing whatever a previous generation left. Streams household by household. Progress lines go to
/// `progress` when given. Returns what is served.
ServedCounts generateCity(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                          const Geography& geography, const NamePools& names, std::ostream* progress);

/// The parameters of the city generated in the folder, or nullopt when there is none or its generation did
/// not finish.
std::optional<CityParams> generatedCity(const CityPaths& paths);

/// The school database the city in the folder was generated into; nullopt when there is no finished city.
std::optional<SchoolDbSettings> generatedSchoolDb(const CityPaths& paths);

/// Thrown when a folder holds a different city and replacing it was not asked for.
struct FolderHoldsOtherCity : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Reuses the city in the folder when it was generated with exactly these parameters and school database
/// (so cursors and truth stay valid across restarts); generates it when the folder has none, or when
/// `replace`. Returns true when it generated.
bool ensureCity(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school, bool replace,
                const Geography& geography, const NamePools& names, std::ostream* progress);

}  // namespace deptsim
