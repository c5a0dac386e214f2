#pragma once

#include "gateway/model/calendar_date.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deptsim {

/// Seconds since 1970-01-01T00:00:00Z. The simulator's clock is the city's as-of date, never the wall clock,
/// so that timestamps are part of the seeded city.
using EpochSeconds = std::int64_t;

inline constexpr EpochSeconds kSecondsPerDay = 86400;

EpochSeconds epochSeconds(const gateway::model::CalendarDate& date, EpochSeconds seconds_of_day = 0);
gateway::model::CalendarDate dateOf(EpochSeconds time);

/// "2026-11-01T08:00:00Z".
std::string isoUtc(EpochSeconds time);
/// "20261101080000", as in the health drop's file names.
std::string digitsTimestamp(EpochSeconds time);
/// "2026-11-01 08:00:00", as the health system writes 更新时间.
std::string spacedTimestamp(EpochSeconds time);

/// Reads "2026-11-01T08:00:00Z", with optional fractional seconds and a "Z", "+08:00" or "-05:00" offset, or a
/// bare date "2026-11-01" (midnight UTC). nullopt for anything else.
std::optional<EpochSeconds> parseIsoUtc(std::string_view text);

/// Reads "2026-11-01"; nullopt unless it is a real date.
std::optional<gateway::model::CalendarDate> parseIsoDate(std::string_view text);

}  // namespace deptsim
