#pragma once

#include "gateway/model/parsed.h"

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace gateway::model {

/// A proleptic Gregorian date without time or time zone. Construction does not validate, so that literals
/// stay cheap; isValid() tells whether the date exists. Arithmetic is meaningful only on valid dates.
/// Dates coming from outside go through parseDate(), which only yields valid dates.
class CalendarDate {
public:
    /// 1970-01-01.
    constexpr CalendarDate() noexcept = default;
    constexpr CalendarDate(int year, int month, int day) noexcept : year_(year), month_(month), day_(day) {}

    constexpr int year() const noexcept { return year_; }
    constexpr int month() const noexcept { return month_; }
    constexpr int day() const noexcept { return day_; }

    /// True when the month is 1–12 and the day exists in that month of that year.
    bool isValid() const noexcept;

    static bool isLeapYear(int year) noexcept;
    /// 28–31, or 0 for a month outside 1–12.
    static int daysInMonth(int year, int month) noexcept;

    /// Days since 1970-01-01 (negative before it).
    std::int64_t daysSinceEpoch() const noexcept;
    static CalendarDate fromDaysSinceEpoch(std::int64_t days) noexcept;
    CalendarDate addDays(int days) const noexcept;

    /// Age in whole years on `on`; negative when `on` is before this date. Someone born on 29 February
    /// becomes a year older on 1 March in non-leap years.
    int ageOn(const CalendarDate& on) const noexcept;

    /// "2014-03-05".
    std::string toIso() const;

    friend auto operator<=>(const CalendarDate&, const CalendarDate&) = default;

private:
    int year_ = 1970;
    int month_ = 1;
    int day_ = 1;
};

std::ostream& operator<<(std::ostream& out, const CalendarDate& date);

/// Why year-month-day is not a real date, e.g. "2015 is not a leap year" or "there is no month 13";
/// an empty string when it is one.
std::string explainInvalidDate(int year, int month, int day);

inline constexpr int kMinDateYear = 1850;
inline constexpr int kMaxDateYear = 2199;

enum class DateError {
    Empty,               // nothing but spaces
    UnrecognisedFormat,  // not one of the accepted layouts (including day/month-ambiguous ones)
    YearOutOfRange,      // outside kMinDateYear..kMaxDateYear
    MonthOutOfRange,     // month 0 or above 12
    DayOutOfRange,       // day 0, or past the end of the month
    NotLeapYear,         // 29 February in a year without one
    BadExcelSerial,      // Excel serial 0, or 60 (Excel's non-existent 1900-02-29)
};

using DateResult = Parsed<CalendarDate, DateError>;

/// Reads the date layouts departments export: 2014-03-05, 2014-3-5, 2014/3/5, 2014.03.05, 20140305,
/// 2014年3月5日, each optionally followed by a time of day (" 00:00:00", "T08:00:00Z", ".000"), which is
/// ignored; and Excel serial day numbers (1900 date system) of up to 5 digits, optionally with ".0".
/// Full-width digits and surrounding spaces are accepted. Day-first or month-first layouts such as 05/03/2014
/// are rejected, because their order cannot be told from the text.
DateResult parseDate(std::string_view text);

}  // namespace gateway::model
