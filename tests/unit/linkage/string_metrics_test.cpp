#include "gateway/linkage/string_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

namespace gateway::linkage {
namespace {

// The textbook optimal-string-alignment recurrence over the full matrix, without limit or shortcuts.
int referenceOsa(std::u32string_view a, std::u32string_view b) {
    std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = static_cast<int>(i);
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = static_cast<int>(j);
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + cost);
            }
        }
    }
    return d[a.size()][b.size()];
}

std::u32string randomString(std::mt19937& random, std::size_t max_length, unsigned alphabet) {
    std::uniform_int_distribution<std::size_t> length(0, max_length);
    std::uniform_int_distribution<unsigned> letter(0, alphabet - 1);
    std::u32string text(length(random), U'\0');
    for (char32_t& c : text) {
        c = U'子' + static_cast<char32_t>(letter(random));
    }
    return text;
}

TEST(DamerauDistanceTest, Basics) {
    EXPECT_EQ(damerauDistance(U"", U"", 5), 0);
    EXPECT_EQ(damerauDistance(U"abc", U"", 5), 3);
    EXPECT_EQ(damerauDistance(U"", U"abc", 5), 3);
    EXPECT_EQ(damerauDistance(U"abc", U"abc", 0), 0);
    EXPECT_EQ(damerauDistance(U"kitten", U"sitting", 5), 3);
    EXPECT_EQ(damerauDistance(U"abc", U"abd", 5), 1);
    EXPECT_EQ(damerauDistance(U"abc", U"abcd", 5), 1);
    EXPECT_EQ(damerauDistance(U"abc", U"ac", 5), 1);
}

TEST(DamerauDistanceTest, AdjacentTranspositionCountsOne) {
    EXPECT_EQ(damerauDistance(U"ab", U"ba", 5), 1);
    EXPECT_EQ(damerauDistance(U"MARTHA", U"MARHTA", 5), 1);
    EXPECT_EQ(damerauDistance(U"张子涵", U"张涵子", 5), 1);
    // Optimal string alignment edits no substring twice: CA → ABC is 3, not 2 as unrestricted Damerau gives.
    EXPECT_EQ(damerauDistance(U"CA", U"ABC", 5), 3);
}

TEST(DamerauDistanceTest, ChineseCountsCodePoints) {
    EXPECT_EQ(damerauDistance(U"子涵", U"紫涵", 5), 1);
    EXPECT_EQ(damerauDistance(U"张子涵", U"张紫涵", 5), 1);
    EXPECT_EQ(damerauDistance(U"欧阳子涵", U"子涵", 5), 2);
    EXPECT_EQ(damerauDistance(U"\U00020000", U"\U00020001", 5), 1);
}

TEST(DamerauDistanceTest, StopsAtTheLimit) {
    EXPECT_EQ(damerauDistance(U"kitten", U"sitting", 2), 3);
    EXPECT_EQ(damerauDistance(U"kitten", U"sitting", 3), 3);
    EXPECT_EQ(damerauDistance(U"abcdef", U"uvwxyz", 1), 2);
    EXPECT_EQ(damerauDistance(U"abcdef", U"uvwxyz", 0), 1);
    EXPECT_EQ(damerauDistance(U"a", U"abcdefgh", 3), 4);  // the lengths alone exceed the limit
    EXPECT_EQ(damerauDistance(U"ab", U"ba", 0), 1);
    EXPECT_EQ(damerauDistance(U"ab", U"ab", 0), 0);
    EXPECT_EQ(damerauDistance(U"abcdef", U"uvwxyz", INT_MAX), 6);
}

TEST(DamerauDistanceTest, AgreesWithTheFullMatrixUnderEveryLimit) {
    std::mt19937 random(7);
    for (int round = 0; round < 3000; ++round) {
        const std::u32string a = randomString(random, 9, 4);
        const std::u32string b = randomString(random, 9, 4);
        const int expected = referenceOsa(a, b);
        for (int limit = 0; limit <= 10; ++limit) {
            ASSERT_EQ(damerauDistance(a, b, limit), std::min(expected, limit + 1))
                << "round " << round << ", limit " << limit;
        }
        ASSERT_EQ(damerauDistance(b, a, 10), expected);
    }
}

TEST(DamerauDistanceTest, LongStringsLeaveTheStackBuffer) {
    std::mt19937 random(11);
    for (int round = 0; round < 50; ++round) {
        const std::u32string a = randomString(random, 150, 3);
        const std::u32string b = randomString(random, 150, 3);
        const int expected = referenceOsa(a, b);
        ASSERT_EQ(damerauDistance(a, b, 1000), expected);
        ASSERT_EQ(damerauDistance(a, b, 20), std::min(expected, 21));
    }
}

TEST(JaroWinklerTest, KnownValues) {
    EXPECT_NEAR(jaroWinkler(U"MARTHA", U"MARHTA"), 0.961, 0.0005);
    EXPECT_NEAR(jaroWinkler(U"DWAYNE", U"DUANE"), 0.84, 0.0005);
    EXPECT_NEAR(jaroWinkler(U"DIXON", U"DICKSONX"), 0.813, 0.0005);
    EXPECT_NEAR(jaroWinkler(U"CRATE", U"TRACE"), 11.0 / 15.0, 1e-12);  // Jaro 0.733, no common prefix
}

TEST(JaroWinklerTest, EmptyAndIdenticalStrings) {
    EXPECT_EQ(jaroWinkler(U"", U""), 1.0);
    EXPECT_EQ(jaroWinkler(U"", U"abc"), 0.0);
    EXPECT_EQ(jaroWinkler(U"abc", U""), 0.0);
    EXPECT_EQ(jaroWinkler(U"a", U"a"), 1.0);
    EXPECT_EQ(jaroWinkler(U"张子涵", U"张子涵"), 1.0);
    EXPECT_EQ(jaroWinkler(U"abc", U"xyz"), 0.0);
    const std::u32string long_name(100, U'涵');
    EXPECT_EQ(jaroWinkler(long_name, long_name), 1.0);
}

TEST(JaroWinklerTest, ChineseCountsCodePoints) {
    // One of three characters differs: Jaro (2/3 + 2/3 + 1) / 3 = 7/9, prefix 1.
    const double jaro = 7.0 / 9.0;
    EXPECT_NEAR(jaroWinkler(U"张子涵", U"张紫涵"), jaro + 0.1 * (1 - jaro), 1e-12);
}

TEST(JaroWinklerTest, SymmetricAndInRange) {
    std::mt19937 random(3);
    for (int round = 0; round < 2000; ++round) {
        const std::u32string a = randomString(random, 90, 5);
        const std::u32string b = randomString(random, 90, 5);
        const double ab = jaroWinkler(a, b);
        EXPECT_GE(ab, 0.0);
        EXPECT_LE(ab, 1.0);
        EXPECT_NEAR(ab, jaroWinkler(b, a), 1e-12) << "round " << round;
    }
}

TEST(JaroWinklerTest, PrefixBonusStopsAtFour) {
    // Both pairs share a prefix of at least four and have Jaro 0.8; a longer shared prefix adds nothing more.
    const double jaro = 0.8;
    EXPECT_NEAR(jaroWinkler(U"abcdefghij", U"abcdefgxyz"), jaro + 0.4 * (1 - jaro), 1e-12);
    // A prefix of three: Jaro (3/4 + 3/4 + 1) / 3.
    const double jaro_three = 2.5 / 3.0;
    EXPECT_NEAR(jaroWinkler(U"abcd", U"abce"), jaro_three + 0.3 * (1 - jaro_three), 1e-12);
}

}  // namespace
}  // namespace gateway::linkage
