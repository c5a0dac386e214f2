#pragma once

#include "ops/sim/city_params.h"
#include "ops/sim/geography.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/time_format.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace deptsim {

enum class Source { Police, School, Health, Civil };

inline constexpr std::array<Source, 4> kSources{Source::Police, Source::School, Source::Health, Source::Civil};

/// police_population, school_register, health_births, civil_rescue: the names truth.csv and served.json use.
std::string_view sourceName(Source source);

/// Why a row exists. Stored with the row so that a change re-renders it the same way.
enum class RowKind {
    Primary = 0,         // the child's own record
    Duplicate = 1,       // a second record of the same child under another source ID
    Unmappable = 2,      // a broken extra row: no name, no ID, an impossible birth date
    TransferredOut = 3,  // school: the row at the school the child left
    TemporaryAid = 4,    // civil: a separate one-off assistance case
};

/// One source row: its source ID, the seed of its errors, why it exists and when it was last updated.
struct RowRef {
    std::string id;
    std::uint64_t noise = 0;
    RowKind kind = RowKind::Primary;
    EpochSeconds updated = 0;
};

/// What every renderer needs besides the child.
struct RenderContext {
    const CityParams& params;
    const NamePools& names;
    const Geography& geography;
};

}  // namespace deptsim
