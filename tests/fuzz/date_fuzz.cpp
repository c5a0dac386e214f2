// Date parsing of department exports (every layout parseDate() accepts, Excel serials, full-width digits), and
// the date arithmetic a parsed date goes on to.
//
// Input: the text of a date.
#include "gateway/model/calendar_date.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace {

using gateway::fuzz::check;
using gateway::model::CalendarDate;

void checkParsed(const CalendarDate& date) {
    check(date.isValid(), "a parsed date exists");
    check(date.year() >= gateway::model::kMinDateYear && date.year() <= gateway::model::kMaxDateYear,
          "a parsed date's year is in range");
    const auto again = gateway::model::parseDate(date.toIso());
    check(again.ok() && *again == date, "a parsed date reads back from its ISO form");
    check(CalendarDate::fromDaysSinceEpoch(date.daysSinceEpoch()) == date, "day numbers convert both ways");
    check(date.addDays(1) > date && date.addDays(-1) < date, "adding days moves the date");
    check(date.ageOn(date) == 0, "no age on the day of birth");
}

/// Arithmetic on whatever three ints the input spells, as unvalidated dates from code may be.
void checkArithmetic(const std::uint8_t* data, std::size_t size) {
    if (size < 16) {
        return;
    }
    int values[4];
    std::memcpy(values, data, sizeof values);
    const CalendarDate date(values[0], values[1], values[2]);
    date.isValid();
    date.toIso();
    gateway::model::explainInvalidDate(values[0], values[1], values[2]);
    CalendarDate::daysInMonth(values[0], values[1]);
    CalendarDate::fromDaysSinceEpoch(static_cast<std::int64_t>(values[0]) * values[3]);
    if (date.isValid() && date.year() > -1000000 && date.year() < 1000000) {
        check(CalendarDate::fromDaysSinceEpoch(date.daysSinceEpoch()) == date, "day numbers convert both ways");
        date.addDays(values[3] % 1000000);
        date.ageOn(CalendarDate(values[3], values[1], values[2]));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = gateway::model::parseDate(text);
    if (result.ok()) {
        check(result.error().empty(), "success carries no message");
        checkParsed(*result);
    } else {
        check(!result.error().empty(), "a failure says why");
    }
    checkArithmetic(data, size);
    return 0;
}
