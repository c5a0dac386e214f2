#include "gateway/common/clock.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(ShiftedClockTest, StartsAtTheChosenInstantAndRunsOn) {
    const auto start = parseIso("2030-02-28T23:59:59.500Z");
    ASSERT_TRUE(start.has_value());
    const ShiftedClock clock(*start);
    const Poco::Timestamp first = clock.now();
    const Poco::Timestamp second = clock.now();
    EXPECT_GE(first, *start);
    EXPECT_LE(first, second) << "time runs forward";
    // However slow the machine, the clock reads the chosen day, not today's.
    EXPECT_EQ(formatIso(first).substr(0, 4), "2030");
    const auto earlier = parseIso("1999-12-31T23:59:59Z");
    ASSERT_TRUE(earlier.has_value());
    EXPECT_LT(ShiftedClock(*earlier).now(), Poco::Timestamp()) << "a clock can start in the past";
}

TEST(ShiftedClockTest, FormatAndParseRoundTripToTheMillisecond) {
    for (const char* text : {"2026-11-01T08:00:00.000Z", "2000-02-29T12:34:56.789Z", "1970-01-01T00:00:00.000Z"}) {
        const auto parsed = parseIso(text);
        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(formatIso(*parsed), text);
    }
    EXPECT_EQ(formatIso(*parseIso("2026-11-01T16:00:00+08:00")), "2026-11-01T08:00:00.000Z") << "offsets are honoured";
    for (const char* text : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-11-01 08:00", "2026-11-01",
                             "2026-11-01T08:00:00", "2026-11-01T08:00:00Zjunk", "2026-02-30T00:00:00Z"}) {
        EXPECT_FALSE(parseIso(text).has_value()) << text;
    }
}

}  // namespace
}  // namespace gateway
