#include "gateway/model/calendar_date.h"

#include "gateway/common/utf8.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ostream>

namespace gateway::model {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"January",   "February", "March",    "April",
                                                          "May",       "June",     "July",     "August",
                                                          "September", "October",  "November", "December"};

// Excel's 1900 date system counts 1900-01-01 as day 1 but also counts a 29 February 1900 that never
// existed (serial 60), so serials after it are one day ahead of a plain day count.
constexpr std::int64_t kExcelPhantomLeapDay = 60;
constexpr std::int64_t kExcelMaxSerial = 2958465;  // 9999-12-31
constexpr std::size_t kExcelMaxDigits = 5;

struct Invalid {
    DateError kind;
    std::string why;
};

/// The kind and explanation of why y-m-d is not a real date, or nothing when it is one.
std::optional<Invalid> classifyInvalid(int year, int month, int day) {
    if (month < 1 || month > 12) {
        return Invalid{DateError::MonthOutOfRange, "there is no month " + std::to_string(month)};
    }
    if (day < 1) {
        return Invalid{DateError::DayOutOfRange, "there is no day " + std::to_string(day)};
    }
    const int days = CalendarDate::daysInMonth(year, month);
    if (day <= days) {
        return std::nullopt;
    }
    if (month == 2 && day == 29) {
        return Invalid{DateError::NotLeapYear, std::to_string(year) + " is not a leap year"};
    }
    std::string why(kMonthNames[static_cast<std::size_t>(month - 1)]);
    if (month == 2) {
        why += " " + std::to_string(year);
    }
    why += " has only " + std::to_string(days) + " days";
    return Invalid{DateError::DayOutOfRange, std::move(why)};
}

bool isDigit(char32_t c) {
    return c >= '0' && c <= '9';
}

/// A cursor over the folded, trimmed code points of the input.
class Scanner {
public:
    explicit Scanner(std::u32string_view text) : text_(text) {}

    bool atEnd() const { return pos_ == text_.size(); }
    char32_t peek() const { return atEnd() ? U'\0' : text_[pos_]; }
    std::size_t position() const { return pos_; }

    bool accept(char32_t c) {
        if (!atEnd() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    /// Reads between `min` and `max` ASCII digits; fails (consuming nothing) when the run is shorter or longer.
    bool digits(std::size_t min, std::size_t max, int& value) {
        std::size_t end = pos_;
        while (end < text_.size() && isDigit(text_[end])) {
            ++end;
        }
        const std::size_t count = end - pos_;
        if (count < min || count > max) {
            return false;
        }
        value = 0;
        for (; pos_ < end; ++pos_) {
            value = value * 10 + static_cast<int>(text_[pos_] - U'0');
        }
        return true;
    }

    std::size_t skipSpaces() {
        const std::size_t start = pos_;
        while (!atEnd() && text_[pos_] == U' ') {
            ++pos_;
        }
        return pos_ - start;
    }

private:
    std::u32string_view text_;
    std::size_t pos_ = 0;
};

/// A time of day after the date: "T08:00", " 00:00:00", "T08:00:00.000Z", "T08:00:00+08:00". Its value is
/// ignored, but its shape is checked so that a date followed by arbitrary text is not silently accepted.
bool isTimeSuffix(Scanner& in) {
    if (in.atEnd()) {
        return true;
    }
    if (!in.accept(U'T') && !in.accept(U't') && in.skipSpaces() == 0) {
        return false;
    }
    int ignored = 0;
    if (!in.digits(1, 2, ignored) || !in.accept(U':') || !in.digits(2, 2, ignored)) {
        return false;
    }
    if (in.accept(U':')) {
        if (!in.digits(2, 2, ignored)) {
            return false;
        }
        if (in.accept(U'.') && !in.digits(1, 9, ignored)) {
            return false;
        }
    }
    if (in.accept(U'Z') || in.accept(U'z')) {
        return in.atEnd();
    }
    if (in.accept(U'+') || in.accept(U'-')) {
        if (!in.digits(2, 2, ignored)) {
            return false;
        }
        if (in.accept(U':') && !in.digits(2, 2, ignored)) {
            return false;
        }
    }
    return in.atEnd();
}

struct Ymd {
    int year = 0;
    int month = 0;
    int day = 0;
};

/// 2014-03-05, 2014-3-5, 2014/3/5, 2014.03.05, with the same separator twice, then an optional time.
std::optional<Ymd> scanSeparated(std::u32string_view text) {
    Scanner in(text);
    Ymd ymd;
    if (!in.digits(4, 4, ymd.year)) {
        return std::nullopt;
    }
    const char32_t separator = in.peek();
    if (separator != U'-' && separator != U'/' && separator != U'.') {
        return std::nullopt;
    }
    in.accept(separator);
    if (!in.digits(1, 2, ymd.month) || !in.accept(separator) || !in.digits(1, 2, ymd.day)) {
        return std::nullopt;
    }
    if (!isTimeSuffix(in)) {
        return std::nullopt;
    }
    return ymd;
}

/// 2014年3月5日 or 2014年03月05日, then an optional time.
std::optional<Ymd> scanChinese(std::u32string_view text) {
    Scanner in(text);
    Ymd ymd;
    if (!in.digits(4, 4, ymd.year) || !in.accept(U'年') || !in.digits(1, 2, ymd.month) || !in.accept(U'月') ||
        !in.digits(1, 2, ymd.day) || !in.accept(U'日')) {
        return std::nullopt;
    }
    if (!isTimeSuffix(in)) {
        return std::nullopt;
    }
    return ymd;
}

/// Digits optionally followed by "." and zeros, as spreadsheets write whole numbers. Returns the digits.
std::optional<std::u32string_view> wholeNumber(std::u32string_view text) {
    std::size_t end = 0;
    while (end < text.size() && isDigit(text[end])) {
        ++end;
    }
    if (end == 0) {
        return std::nullopt;
    }
    if (end < text.size()) {
        if (text[end] != U'.' || end + 1 == text.size()) {
            return std::nullopt;
        }
        for (std::size_t i = end + 1; i < text.size(); ++i) {
            if (text[i] != U'0') {
                return std::nullopt;
            }
        }
    }
    return text.substr(0, end);
}

std::int64_t toNumber(std::u32string_view digits) {
    std::int64_t value = 0;
    for (const char32_t c : digits) {
        value = value * 10 + static_cast<std::int64_t>(c - U'0');
    }
    return value;
}

std::string describe(std::string_view text) {
    return "date " + utf8::quote(text);
}

DateResult checkRealDate(std::string_view text, const Ymd& ymd) {
    if (ymd.year < kMinDateYear || ymd.year > kMaxDateYear) {
        return DateResult::failure(DateError::YearOutOfRange, describe(text) + " has year " + std::to_string(ymd.year) +
                                                                  ", outside the accepted range " +
                                                                  std::to_string(kMinDateYear) + " to " +
                                                                  std::to_string(kMaxDateYear));
    }
    if (auto invalid = classifyInvalid(ymd.year, ymd.month, ymd.day)) {
        return DateResult::failure(invalid->kind, describe(text) + " is not a real date: " + invalid->why);
    }
    return DateResult::success(CalendarDate(ymd.year, ymd.month, ymd.day));
}

DateResult fromExcelSerial(std::string_view text, std::int64_t serial) {
    if (serial < 1 || serial > kExcelMaxSerial) {
        return DateResult::failure(DateError::BadExcelSerial, describe(text) + " is Excel serial day " +
                                                                  std::to_string(serial) +
                                                                  ", but serials start at 1 (1900-01-01)");
    }
    if (serial == kExcelPhantomLeapDay) {
        return DateResult::failure(DateError::BadExcelSerial,
                                   describe(text) +
                                       " is Excel serial day 60, Excel's 1900-02-29, which does not exist: 1900 is "
                                       "not a leap year");
    }
    const std::int64_t offset = serial < kExcelPhantomLeapDay ? serial : serial - 1;
    const CalendarDate date = CalendarDate(1899, 12, 31).addDays(static_cast<int>(offset));
    return checkRealDate(text, Ymd{date.year(), date.month(), date.day()});
}

}  // namespace

bool CalendarDate::isLeapYear(int year) noexcept {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int CalendarDate::daysInMonth(int year, int month) noexcept {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    if (month == 2 && isLeapYear(year)) {
        return 29;
    }
    return kDays[static_cast<std::size_t>(month - 1)];
}

bool CalendarDate::isValid() const noexcept {
    return month_ >= 1 && month_ <= 12 && day_ >= 1 && day_ <= daysInMonth(year_, month_);
}

// The civil-from-days algorithm counts years from March, so that the leap day is the last day of its year;
// 719468 is the number of days from 0000-03-01 to 1970-01-01.
std::int64_t CalendarDate::daysSinceEpoch() const noexcept {
    const std::int64_t m = month_;
    const std::int64_t y = static_cast<std::int64_t>(year_) - (m <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t year_of_era = y - era * 400;
    const std::int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day_ - 1;
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

CalendarDate CalendarDate::fromDaysSinceEpoch(std::int64_t days) noexcept {
    // Far beyond any int year, but keeps the additions below from overflowing.
    constexpr std::int64_t kLimit = std::int64_t{1} << 40;
    const std::int64_t z = std::clamp(days, -kLimit, kLimit) + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t day_of_era = z - era * 146097;
    const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t mp = (5 * day_of_year + 2) / 153;
    const std::int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return CalendarDate(static_cast<int>(year), static_cast<int>(month), static_cast<int>(day));
}

CalendarDate CalendarDate::addDays(int days) const noexcept {
    return fromDaysSinceEpoch(daysSinceEpoch() + days);
}

int CalendarDate::ageOn(const CalendarDate& on) const noexcept {
    const std::int64_t years = static_cast<std::int64_t>(on.year_) - year_;
    const bool before_birthday = on.month_ < month_ || (on.month_ == month_ && on.day_ < day_);
    return static_cast<int>(before_birthday ? years - 1 : years);
}

std::string CalendarDate::toIso() const {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year_, month_, day_);
    return buffer;
}

std::ostream& operator<<(std::ostream& out, const CalendarDate& date) {
    return out << date.toIso();
}

std::string explainInvalidDate(int year, int month, int day) {
    auto invalid = classifyInvalid(year, month, day);
    return invalid ? std::move(invalid->why) : std::string();
}

DateResult parseDate(std::string_view text) {
    if (text.empty()) {
        return DateResult::failure(DateError::Empty, "date is empty");
    }
    utf8::DecodeError decode_error;
    const auto decoded = utf8::decode(text, &decode_error);
    if (!decoded) {
        return DateResult::failure(DateError::UnrecognisedFormat,
                                   describe(text) + " is not valid UTF-8: " + decode_error.reason);
    }
    std::u32string folded;
    folded.reserve(decoded->size());
    for (const char32_t c : *decoded) {
        const char32_t f = utf8::foldFullWidth(c);
        folded.push_back(utf8::isSpace(f) ? U' ' : f);
    }
    const auto first = folded.find_first_not_of(U' ');
    if (first == std::u32string::npos) {
        return DateResult::failure(DateError::Empty, describe(text) + " is blank");
    }
    const auto last = folded.find_last_not_of(U' ');
    const std::u32string_view body = std::u32string_view(folded).substr(first, last - first + 1);

    if (const auto number = wholeNumber(body)) {
        if (number->size() == 8) {
            const std::int64_t value = toNumber(*number);
            return checkRealDate(text, Ymd{static_cast<int>(value / 10000), static_cast<int>(value / 100 % 100),
                                           static_cast<int>(value % 100)});
        }
        if (number->size() <= kExcelMaxDigits) {
            return fromExcelSerial(text, toNumber(*number));
        }
    } else if (const auto ymd = scanSeparated(body)) {
        return checkRealDate(text, *ymd);
    } else if (const auto ymd_chinese = scanChinese(body)) {
        return checkRealDate(text, *ymd_chinese);
    }
    return DateResult::failure(DateError::UnrecognisedFormat,
                               describe(text) +
                                   " has an unrecognised format; expected year first, e.g. 2014-03-05, 2014/3/5, "
                                   "20140305 or 2014年3月5日");
}

}  // namespace gateway::model
