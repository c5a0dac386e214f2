#pragma once

#include "ops/sim/error_rates.h"
#include "ops/sim/name_pools.h"
#include "ops/sim/random.h"

#include "gateway/model/calendar_date.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace deptsim {

enum class DateLayout {
    Compact,  // 20140305
    Iso,      // 2014-03-05
    Slash,    // 2014/3/5
};

/// Writes a date in a layout; no errors added.
std::string formatDate(const gateway::model::CalendarDate& date, DateLayout layout);

/// ASCII digits and X turned into their full-width forms (０–９, Ｘ).
std::string fullWidthDigits(std::string_view text);

/// The errors of one source row. Every draw comes from the row's own seed, so re-rendering a row with the same
/// seed repeats its errors, and a new seed (after a change) may correct them or make new ones.
class RowNoise {
public:
    RowNoise(std::uint64_t seed, const ErrorRates& rates, const NamePools& names)
        : random_(seed), rates_(rates), names_(names) {}

    Random& random() { return random_; }
    const ErrorRates& rates() const { return rates_; }
    bool chance(double probability) { return random_.chance(probability); }

    /// The name as this row spells it: maybe a typo or a homophone in the given name (now and then in the
    /// surname), maybe a trailing space.
    std::string name(std::string_view name, int sex);
    /// A child's ID as this row holds it: maybe empty, a wrong check character, full-width digits or a trailing
    /// space.
    std::string childId(std::string_view id);
    /// An adult's ID: as childId, and maybe the old 15-digit form when the person was born before 1991.
    std::string adultId(std::string_view id);
    /// A birth date in `layout`, maybe with day and month swapped (only where the result is still a date).
    std::string birthDate(const gateway::model::CalendarDate& date, DateLayout layout);
    /// Maybe a trailing space (half- or full-width).
    std::string spaced(std::string text);

private:
    std::string idErrors(std::string id);

    Random random_;
    const ErrorRates& rates_;
    const NamePools& names_;
};

}  // namespace deptsim
