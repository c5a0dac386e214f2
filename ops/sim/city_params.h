#pragma once

#include "ops/sim/error_rates.h"

#include "gateway/model/calendar_date.h"

#include <cstdint>
#include <string>

namespace deptsim {

/// Everything that decides the city: the same parameters give the same city, byte for byte.
struct CityParams {
    std::uint64_t seed = 1;
    std::uint32_t children = 1000;
    std::string district = "320411";  // 6 digits
    gateway::model::CalendarDate as_of{2026, 11, 1};
    ErrorRates errors;

    friend bool operator==(const CityParams&, const CityParams&) = default;
};

/// One line that names every parameter, stored with the city to tell whether a folder holds this city.
std::string describe(const CityParams& params);

/// The city's "now": 08:00 UTC on the as-of date. Every generated timestamp is at or before it; changes come
/// after it.
std::int64_t cityNow(const CityParams& params);

}  // namespace deptsim
