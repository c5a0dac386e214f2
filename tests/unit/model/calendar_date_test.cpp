#include "gateway/model/calendar_date.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gateway::model {
namespace {

void expectRejected(const DateResult& result, DateError kind, const std::string& message) {
    ASSERT_FALSE(result.ok()) << "parsed as " << result.value();
    EXPECT_EQ(result.errorKind(), kind);
    EXPECT_EQ(result.error(), message);
}

void expectDate(std::string_view text, CalendarDate expected) {
    const auto result = parseDate(text);
    ASSERT_TRUE(result.ok()) << "\"" << text << "\": " << result.error();
    EXPECT_EQ(result.value(), expected) << "\"" << text << "\"";
}

const std::string kUnrecognisedTail =
    " has an unrecognised format; expected year first, e.g. 2014-03-05, 2014/3/5, 20140305 or 2014年3月5日";

TEST(CalendarDateTest, FormatsAsIso) {
    EXPECT_EQ(CalendarDate(2014, 3, 5).toIso(), "2014-03-05");
    EXPECT_EQ(CalendarDate(1850, 12, 31).toIso(), "1850-12-31");
    EXPECT_EQ(CalendarDate().toIso(), "1970-01-01");
}

TEST(CalendarDateTest, KnowsLeapYearsAndMonthLengths) {
    EXPECT_TRUE(CalendarDate::isLeapYear(2016));
    EXPECT_TRUE(CalendarDate::isLeapYear(2000));
    EXPECT_FALSE(CalendarDate::isLeapYear(2015));
    EXPECT_FALSE(CalendarDate::isLeapYear(1900));
    EXPECT_EQ(CalendarDate::daysInMonth(2016, 2), 29);
    EXPECT_EQ(CalendarDate::daysInMonth(2015, 2), 28);
    EXPECT_EQ(CalendarDate::daysInMonth(2015, 4), 30);
    EXPECT_EQ(CalendarDate::daysInMonth(2015, 12), 31);
    EXPECT_EQ(CalendarDate::daysInMonth(2015, 13), 0);
    EXPECT_EQ(CalendarDate::daysInMonth(2015, 0), 0);
}

TEST(CalendarDateTest, TellsRealDatesFromImpossibleOnes) {
    EXPECT_TRUE(CalendarDate(2016, 2, 29).isValid());
    EXPECT_FALSE(CalendarDate(2015, 2, 29).isValid());
    EXPECT_FALSE(CalendarDate(2014, 2, 30).isValid());
    EXPECT_FALSE(CalendarDate(2014, 4, 31).isValid());
    EXPECT_FALSE(CalendarDate(2014, 13, 1).isValid());
    EXPECT_FALSE(CalendarDate(2014, 0, 1).isValid());
    EXPECT_FALSE(CalendarDate(2014, 1, 0).isValid());
    EXPECT_EQ(explainInvalidDate(2014, 3, 5), "");
    EXPECT_EQ(explainInvalidDate(2015, 2, 29), "2015 is not a leap year");
    EXPECT_EQ(explainInvalidDate(2014, 2, 30), "February 2014 has only 28 days");
    EXPECT_EQ(explainInvalidDate(2014, 13, 1), "there is no month 13");
}

TEST(CalendarDateTest, OrdersByYearThenMonthThenDay) {
    EXPECT_LT(CalendarDate(2014, 3, 5), CalendarDate(2014, 3, 6));
    EXPECT_LT(CalendarDate(2014, 3, 31), CalendarDate(2014, 4, 1));
    EXPECT_LT(CalendarDate(2014, 12, 31), CalendarDate(2015, 1, 1));
    EXPECT_EQ(CalendarDate(2014, 3, 5), CalendarDate(2014, 3, 5));
    EXPECT_NE(CalendarDate(2014, 3, 5), CalendarDate(2014, 5, 3));
}

TEST(CalendarDateTest, CountsDaysFromTheEpoch) {
    EXPECT_EQ(CalendarDate(1970, 1, 1).daysSinceEpoch(), 0);
    EXPECT_EQ(CalendarDate(1969, 12, 31).daysSinceEpoch(), -1);
    EXPECT_EQ(CalendarDate(2000, 3, 1).daysSinceEpoch(), 11017);
    EXPECT_EQ(CalendarDate(1850, 1, 1).daysSinceEpoch(), -43829);
    EXPECT_EQ(CalendarDate::fromDaysSinceEpoch(11017), CalendarDate(2000, 3, 1));
    EXPECT_EQ(CalendarDate::fromDaysSinceEpoch(-43829), CalendarDate(1850, 1, 1));
}

TEST(CalendarDateTest, WalksEveryDayFrom1850To2199) {
    CalendarDate date(1850, 1, 1);
    const std::int64_t start = date.daysSinceEpoch();
    int steps = 0;
    while (date < CalendarDate(2200, 1, 1)) {
        const CalendarDate next = date.addDays(1);
        ASSERT_TRUE(next.isValid()) << next;
        ASSERT_LT(date, next);
        ASSERT_EQ(next.daysSinceEpoch(), start + steps + 1) << next;
        ASSERT_EQ(CalendarDate::fromDaysSinceEpoch(next.daysSinceEpoch()), next);
        date = next;
        ++steps;
    }
    EXPECT_EQ(steps, 127835);
    EXPECT_EQ(date, CalendarDate(2200, 1, 1));
}

TEST(CalendarDateTest, AddsDaysAcrossMonthAndYearEnds) {
    EXPECT_EQ(CalendarDate(2016, 2, 28).addDays(1), CalendarDate(2016, 2, 29));
    EXPECT_EQ(CalendarDate(2015, 2, 28).addDays(1), CalendarDate(2015, 3, 1));
    EXPECT_EQ(CalendarDate(2014, 12, 31).addDays(1), CalendarDate(2015, 1, 1));
    EXPECT_EQ(CalendarDate(2015, 1, 1).addDays(-1), CalendarDate(2014, 12, 31));
    EXPECT_EQ(CalendarDate(2014, 3, 5).addDays(365), CalendarDate(2015, 3, 5));
    EXPECT_EQ(CalendarDate(2014, 3, 5).addDays(0), CalendarDate(2014, 3, 5));
}

TEST(CalendarDateTest, CountsAgeInWholeYears) {
    const CalendarDate born(2014, 3, 5);
    EXPECT_EQ(born.ageOn(CalendarDate(2020, 3, 4)), 5);
    EXPECT_EQ(born.ageOn(CalendarDate(2020, 3, 5)), 6);
    EXPECT_EQ(born.ageOn(CalendarDate(2014, 3, 5)), 0);
    EXPECT_EQ(born.ageOn(CalendarDate(2014, 3, 4)), -1);
}

TEST(CalendarDateTest, LeapDayBirthdayCountsOnFirstMarchInOtherYears) {
    const CalendarDate born(2016, 2, 29);
    EXPECT_EQ(born.ageOn(CalendarDate(2017, 2, 28)), 0);
    EXPECT_EQ(born.ageOn(CalendarDate(2017, 3, 1)), 1);
    EXPECT_EQ(born.ageOn(CalendarDate(2020, 2, 28)), 3);
    EXPECT_EQ(born.ageOn(CalendarDate(2020, 2, 29)), 4);
}

TEST(CalendarDateTest, ParsesEveryExportedLayout) {
    const CalendarDate expected(2014, 3, 5);
    for (const std::string_view text : {
             "2014-03-05",
             "2014-3-5",
             "2014/3/5",
             "2014/03/05",
             "2014.03.05",
             "2014.3.5",
             "20140305",
             "2014年3月5日",
             "2014年03月05日",
         }) {
        expectDate(text, expected);
    }
}

TEST(CalendarDateTest, IgnoresATrailingTimeOfDay) {
    const CalendarDate expected(2014, 3, 5);
    for (const std::string_view text : {
             "2014-03-05 00:00:00",
             "2014-03-05T08:00:00Z",
             "2014-03-05 00:00:00.000",
             "2014-03-05T08:00:00.000Z",
             "2014-03-05T08:00:00+08:00",
             "2014-03-05T08:00",
             "2014/3/5 8:00:00",
             "2014年3月5日 00:00:00",
         }) {
        expectDate(text, expected);
    }
}

TEST(CalendarDateTest, AcceptsFullWidthDigitsAndSurroundingSpaces) {
    expectDate("２０１４－０３－０５", CalendarDate(2014, 3, 5));
    expectDate("２０１４年３月５日", CalendarDate(2014, 3, 5));
    expectDate(" \t2014-03-05\u3000\n", CalendarDate(2014, 3, 5));
}

TEST(CalendarDateTest, ReadsExcelSerialDays) {
    expectDate("1", CalendarDate(1900, 1, 1));
    expectDate("59", CalendarDate(1900, 2, 28));
    expectDate("61", CalendarDate(1900, 3, 1));
    expectDate("25569", CalendarDate(1970, 1, 1));
    expectDate("41703", CalendarDate(2014, 3, 5));
    expectDate("41703.0", CalendarDate(2014, 3, 5));
    expectDate("45000", CalendarDate(2023, 3, 15));
    expectDate("99999", CalendarDate(2173, 10, 13));
    expectDate("00061", CalendarDate(1900, 3, 1));
}

TEST(CalendarDateTest, RejectsExcelPhantomLeapDayAndSerialZero) {
    expectRejected(parseDate("60"), DateError::BadExcelSerial,
                   "date \"60\" is Excel serial day 60, Excel's 1900-02-29, which does not exist: 1900 is not a leap "
                   "year");
    expectRejected(parseDate("0"), DateError::BadExcelSerial,
                   "date \"0\" is Excel serial day 0, but serials start at 1 (1900-01-01)");
}

TEST(CalendarDateTest, RejectsNumbersThatAreNeitherSerialsNorCompactDates) {
    expectRejected(parseDate("123456"), DateError::UnrecognisedFormat, "date \"123456\"" + kUnrecognisedTail);
    expectRejected(parseDate("2014035"), DateError::UnrecognisedFormat, "date \"2014035\"" + kUnrecognisedTail);
    expectRejected(parseDate("41703.5"), DateError::UnrecognisedFormat, "date \"41703.5\"" + kUnrecognisedTail);
    expectRejected(parseDate("41703."), DateError::UnrecognisedFormat, "date \"41703.\"" + kUnrecognisedTail);
}

TEST(CalendarDateTest, RejectsEmptyAndBlank) {
    expectRejected(parseDate(""), DateError::Empty, "date is empty");
    expectRejected(parseDate(" \u3000 "), DateError::Empty, "date \" \u3000 \" is blank");
    EXPECT_EQ(parseDate(std::string(10240, ' ')).errorKind(), DateError::Empty);
}

TEST(CalendarDateTest, RejectsMonth13AndDay0) {
    expectRejected(parseDate("2014-13-05"), DateError::MonthOutOfRange,
                   "date \"2014-13-05\" is not a real date: there is no month 13");
    expectRejected(parseDate("20140005"), DateError::MonthOutOfRange,
                   "date \"20140005\" is not a real date: there is no month 0");
    expectRejected(parseDate("2014-03-00"), DateError::DayOutOfRange,
                   "date \"2014-03-00\" is not a real date: there is no day 0");
    expectRejected(parseDate("2014-03-32"), DateError::DayOutOfRange,
                   "date \"2014-03-32\" is not a real date: March has only 31 days");
    expectRejected(parseDate("2014年4月31日"), DateError::DayOutOfRange,
                   "date \"2014年4月31日\" is not a real date: April has only 30 days");
}

TEST(CalendarDateTest, Rejects30February) {
    expectRejected(parseDate("2014-02-30"), DateError::DayOutOfRange,
                   "date \"2014-02-30\" is not a real date: February 2014 has only 28 days");
    expectRejected(parseDate("2016-02-30"), DateError::DayOutOfRange,
                   "date \"2016-02-30\" is not a real date: February 2016 has only 29 days");
}

TEST(CalendarDateTest, Accepts29February2016AndRejects2015) {
    expectDate("2016-02-29", CalendarDate(2016, 2, 29));
    expectDate("2000-02-29", CalendarDate(2000, 2, 29));
    expectRejected(parseDate("2015-02-29"), DateError::NotLeapYear,
                   "date \"2015-02-29\" is not a real date: 2015 is not a leap year");
    expectRejected(parseDate("1900/2/29"), DateError::NotLeapYear,
                   "date \"1900/2/29\" is not a real date: 1900 is not a leap year");
}

TEST(CalendarDateTest, RejectsYearsOutside1850To2199) {
    expectDate("1850-01-01", CalendarDate(1850, 1, 1));
    expectDate("2199-12-31", CalendarDate(2199, 12, 31));
    expectRejected(parseDate("1849-12-31"), DateError::YearOutOfRange,
                   "date \"1849-12-31\" has year 1849, outside the accepted range 1850 to 2199");
    expectRejected(parseDate("22000101"), DateError::YearOutOfRange,
                   "date \"22000101\" has year 2200, outside the accepted range 1850 to 2199");
    expectRejected(parseDate("0000-01-01"), DateError::YearOutOfRange,
                   "date \"0000-01-01\" has year 0, outside the accepted range 1850 to 2199");
}

TEST(CalendarDateTest, RejectsDayMonthAmbiguousLayouts) {
    for (const std::string_view text : {"05/03/2014", "5/3/2014", "05.03.2014", "05-03-2014", "14-3-5"}) {
        const auto result = parseDate(text);
        EXPECT_FALSE(result.ok()) << text << " parsed as " << result.value();
        EXPECT_EQ(result.errorKind(), DateError::UnrecognisedFormat) << text;
    }
    expectRejected(parseDate("05/03/2014"), DateError::UnrecognisedFormat, "date \"05/03/2014\"" + kUnrecognisedTail);
}

TEST(CalendarDateTest, RejectsMixedSeparatorsAndTrailingText) {
    for (const std::string_view text :
         {"2014-03/05", "2014-03-05 garbage", "2014-03-05T", "2014-03-05 25", "2014-03-05T08:00:00Q", "2014-003-05",
          "2014年3月5", "March 5, 2014", "2014-03-05 08:00:00.", "2014-03-05-"}) {
        const auto result = parseDate(text);
        ASSERT_FALSE(result.ok()) << text << " parsed as " << result.value();
        EXPECT_EQ(result.errorKind(), DateError::UnrecognisedFormat) << text;
    }
}

TEST(CalendarDateTest, RejectsHostileBytes) {
    expectRejected(parseDate(std::string("2014-03-05\0", 11)), DateError::UnrecognisedFormat,
                   "date \"2014-03-05\\x00\"" + kUnrecognisedTail);
    expectRejected(parseDate(std::string("2014\0-03-05", 11)), DateError::UnrecognisedFormat,
                   "date \"2014\\x00-03-05\"" + kUnrecognisedTail);
    expectRejected(parseDate("2014-03-05\xFF"), DateError::UnrecognisedFormat,
                   "date \"2014-03-05\\xFF\" is not valid UTF-8: invalid UTF-8 byte 0xFF at byte 10");
    expectRejected(parseDate("2014-03-05\U00020BB7"), DateError::UnrecognisedFormat,
                   "date \"2014-03-05\U00020BB7\"" + kUnrecognisedTail);
    const auto huge = parseDate(std::string(10240, '2'));
    EXPECT_EQ(huge.errorKind(), DateError::UnrecognisedFormat);
    EXPECT_EQ(huge.error(), "date \"" + std::string(40, '2') + "…\"" + kUnrecognisedTail);
    EXPECT_EQ(parseDate("2014-03-05 " + std::string(10240, '0')).errorKind(), DateError::UnrecognisedFormat);
}

}  // namespace
}  // namespace gateway::model
