#include "gateway/model/division_code.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

namespace gateway::model {
namespace {

DivisionCode code(std::string_view text) {
    DivisionCodeResult result = DivisionCode::parse(text);
    EXPECT_TRUE(result) << result.error;
    return result.code.value();
}

DivisionScope scope(std::string_view text) {
    DivisionScopeResult result = DivisionScope::parse(text);
    EXPECT_TRUE(result) << result.error;
    return result.scope.value();
}

std::string parseError(std::string_view text) {
    DivisionCodeResult result = DivisionCode::parse(text);
    EXPECT_FALSE(result) << "accepted " << text;
    EXPECT_FALSE(result.code.has_value());
    return result.error;
}

std::vector<std::string> texts(const std::vector<DivisionCode>& codes) {
    std::vector<std::string> result;
    for (const DivisionCode& item : codes) {
        result.emplace_back(item.text());
    }
    return result;
}

TEST(DivisionCodeTest, ParsesTwelveDigitVillageCode) {
    const DivisionCode village = code("320411002001");  // 三井街道华山社区居委会
    EXPECT_EQ(village.text(), "320411002001");
    EXPECT_EQ(village.level(), DivisionLevel::Village);
    EXPECT_EQ(village.prefix(), "320411002001");
}

TEST(DivisionCodeTest, PadsSignificantFormsWithZeros) {
    EXPECT_EQ(code("32").text(), "320000000000");
    EXPECT_EQ(code("3204").text(), "320400000000");
    EXPECT_EQ(code("320411").text(), "320411000000");
    EXPECT_EQ(code("320411101").text(), "320411101000");
    EXPECT_EQ(code("340604").text(), "340604000000");
}

TEST(DivisionCodeTest, LevelAndPrefixComeFromTrailingZeros) {
    struct Case {
        std::string_view input;
        DivisionLevel level;
        std::string_view prefix;
    };
    const Case cases[] = {
        {"320000000000", DivisionLevel::Province, "32"},
        {"320400000000", DivisionLevel::City, "3204"},
        {"320411000000", DivisionLevel::District, "320411"},
        {"320411101000", DivisionLevel::Township, "320411101"},
        {"320411101004", DivisionLevel::Village, "320411101004"},
        {"340604001001", DivisionLevel::Village, "340604001001"},
        {"340604400000", DivisionLevel::Township, "340604400"},
        // A 6-digit form whose district part is 00 is the city itself.
        {"320400", DivisionLevel::City, "3204"},
        {"110101000000", DivisionLevel::District, "110101"},
    };
    for (const Case& item : cases) {
        const DivisionCode parsed = code(item.input);
        EXPECT_EQ(parsed.level(), item.level) << item.input;
        EXPECT_EQ(parsed.prefix(), item.prefix) << item.input;
    }
}

TEST(DivisionCodeTest, TrimsUnicodeSpaces) {
    EXPECT_EQ(code("  320411\t").text(), "320411000000");
    EXPECT_EQ(code("\u3000320411101004\u3000").text(), "320411101004");
    EXPECT_EQ(code("\u00A0"
                   "3204\n")
                  .text(),
              "320400000000");
}

TEST(DivisionCodeTest, FoldsFullWidthDigits) {
    EXPECT_EQ(code("３２０４１１").text(), "320411000000");
    EXPECT_EQ(code("３４０６０４００１００１").text(), "340604001001");
    EXPECT_EQ(code("32０4１1").text(), "320411000000");
}

TEST(DivisionCodeTest, RejectsEmptyAndBlank) {
    EXPECT_EQ(parseError(""), "Division code is empty");
    EXPECT_EQ(parseError(" \u3000 "), "Division code \" \u3000 \" is blank");
    EXPECT_EQ(parseError("   "), "Division code \"   \" is blank");
}

TEST(DivisionCodeTest, RejectsNonDigitsNamingTheCharacter) {
    EXPECT_EQ(parseError("3204a1"), "Division code \"3204a1\" contains \"a\" at character 5; only digits are allowed");
    EXPECT_EQ(parseError("3204 11"),
              "Division code \"3204 11\" contains \" \" at character 5; only digits are allowed");
    EXPECT_EQ(parseError("-320411"),
              "Division code \"-320411\" contains \"-\" at character 1; only digits are allowed");
    EXPECT_EQ(parseError("３２０４一１"),
              "Division code \"３２０４一１\" contains \"一\" at character 5; only digits are allowed");
    // Full-width letters fold to ASCII letters and are still not digits; the message shows what was sent.
    EXPECT_EQ(parseError("３２Ａ４"),
              "Division code \"３２Ａ４\" contains \"Ａ\" at character 3; only digits are allowed");
}

TEST(DivisionCodeTest, RejectsOtherLengths) {
    for (const std::string_view input :
         {"3", "320", "32041", "3204111", "32041110", "3204111010", "32041110100", "3204111010041"}) {
        const std::string error = parseError(input);
        EXPECT_EQ(error, "Division code \"" + std::string(input) + "\" has " + std::to_string(input.size()) +
                             " digits; expected 2, 4, 6, 9 or 12");
    }
}

TEST(DivisionCodeTest, RejectsProvinceZero) {
    EXPECT_EQ(parseError("00"), "Division code \"00\" has province part 00, which no province has");
    EXPECT_EQ(parseError("000000000000"), "Division code \"000000000000\" has province part 00, which no province has");
    EXPECT_EQ(parseError("000411101004"), "Division code \"000411101004\" has province part 00, which no province has");
}

TEST(DivisionCodeTest, RejectsCodeWithHole) {
    EXPECT_EQ(parseError("320000101000"),
              "Division code \"320000101000\" has a zero city part but a non-zero township part");
    EXPECT_EQ(parseError("320011000000"),
              "Division code \"320011000000\" has a zero city part but a non-zero district part");
    EXPECT_EQ(parseError("320400101000"),
              "Division code \"320400101000\" has a zero district part but a non-zero township part");
    EXPECT_EQ(parseError("320411000201"),
              "Division code \"320411000201\" has a zero township part but a non-zero village part");
    EXPECT_EQ(parseError("320000000001"),
              "Division code \"320000000001\" has a zero city part but a non-zero village part");
}

TEST(DivisionCodeTest, AcceptsTownshipsOfCitiesWithoutCounties) {
    const DivisionCode township = code("441900003000");  // 东莞市东城街道
    EXPECT_EQ(township.level(), DivisionLevel::Township);
    EXPECT_EQ(township.prefix(), "441900003");
    EXPECT_EQ(township.parent().value().text(), "441900000000");
    EXPECT_EQ(texts(township.ancestors()), (std::vector<std::string>{"440000000000", "441900000000"}));
    EXPECT_FALSE(township.ancestorAt(DivisionLevel::District).has_value());
    EXPECT_EQ(township.ancestorAt(DivisionLevel::City).value().text(), "441900000000");

    const DivisionCode village = code("441900003001");
    EXPECT_EQ(village.parent().value(), township);
    EXPECT_EQ(code("442000100000").level(), DivisionLevel::Township);  // 中山市
    EXPECT_EQ(code("460400100000").level(), DivisionLevel::Township);  // 儋州市

    EXPECT_EQ(parseError("441900000001"),
              "Division code \"441900000001\" has a zero district part but a non-zero village part");
    EXPECT_EQ(parseError("441800003000"),
              "Division code \"441800003000\" has a zero district part but a non-zero township part");
}

TEST(DivisionCodeTest, RejectsInvalidUtf8) {
    EXPECT_EQ(parseError("3204\xFF"
                         "11"),
              "Division code \"3204\\xFF11\" is not valid UTF-8: invalid UTF-8 byte 0xFF at byte 4");
    EXPECT_EQ(parseError("\xE5\xB8"),
              "Division code \"\\xE5\\xB8\" is not valid UTF-8: truncated UTF-8 sequence at byte 0");
    // An overlong encoding of '3' must not be read as the digit.
    const std::string error = parseError(
        "\xC0\xB3"
        "204");
    EXPECT_NE(error.find("is not valid UTF-8"), std::string::npos) << error;
}

TEST(DivisionCodeTest, RejectsEmbeddedNul) {
    const std::string input(
        "3204\0"
        "11",
        7);
    EXPECT_EQ(parseError(input),
              "Division code \"3204\\x0011\" contains \"\\x00\" at character 5; only digits are allowed");
    const std::string trailing("320411\0", 7);
    EXPECT_EQ(parseError(trailing),
              "Division code \"320411\\x00\" contains \"\\x00\" at character 7; only digits are allowed");
}

TEST(DivisionCodeTest, RejectsHugeInputWithoutEchoingIt) {
    const std::string digits(10 * 1024, '3');
    const std::string error = parseError(digits);
    EXPECT_NE(error.find("is 10240 bytes long; a code has at most 12 digits"), std::string::npos) << error;
    EXPECT_LT(error.size(), 200u);

    const std::string garbage(10 * 1024, '\xFF');
    EXPECT_NE(parseError(garbage).find("is 10240 bytes long"), std::string::npos);

    // Under the byte cap, a long run of digits is reported by its digit count.
    EXPECT_EQ(parseError(std::string(200, '1')).substr(0, 15), "Division code \"");
    EXPECT_NE(parseError(std::string(200, '1')).find("has 200 digits; expected 2, 4, 6, 9 or 12"), std::string::npos);
}

TEST(DivisionCodeTest, ParentWalksUpOneLevelAtATime) {
    std::vector<std::string> chain;
    for (std::optional<DivisionCode> current = code("320411101004"); current; current = current->parent()) {
        chain.emplace_back(current->text());
    }
    EXPECT_EQ(chain, (std::vector<std::string>{"320411101004", "320411101000", "320411000000", "320400000000",
                                               "320000000000"}));
    EXPECT_FALSE(code("34").parent().has_value());
}

TEST(DivisionCodeTest, AncestorsStartAtProvinceAndExcludeSelf) {
    EXPECT_EQ(texts(code("340604001001").ancestors()),
              (std::vector<std::string>{"340000000000", "340600000000", "340604000000", "340604001000"}));
    EXPECT_EQ(texts(code("320411").ancestors()), (std::vector<std::string>{"320000000000", "320400000000"}));
    EXPECT_TRUE(code("32").ancestors().empty());
}

TEST(DivisionCodeTest, AncestorAtReturnsSelfAtOwnLevelAndNothingBelow) {
    const DivisionCode village = code("320411101004");
    EXPECT_EQ(village.ancestorAt(DivisionLevel::Province).value().text(), "320000000000");
    EXPECT_EQ(village.ancestorAt(DivisionLevel::City).value().text(), "320400000000");
    EXPECT_EQ(village.ancestorAt(DivisionLevel::District).value().text(), "320411000000");
    EXPECT_EQ(village.ancestorAt(DivisionLevel::Township).value().text(), "320411101000");
    EXPECT_EQ(village.ancestorAt(DivisionLevel::Village).value(), village);

    const DivisionCode district = code("340604");
    EXPECT_FALSE(district.ancestorAt(DivisionLevel::Township).has_value());
    EXPECT_FALSE(district.ancestorAt(DivisionLevel::Village).has_value());
    EXPECT_EQ(district.ancestorAt(DivisionLevel::District).value(), district);
}

TEST(DivisionCodeTest, ComparesAndHashesByValue) {
    EXPECT_EQ(code("3204"), code("320400000000"));
    EXPECT_EQ(code("３２０４"), code("3204"));
    EXPECT_NE(code("320411"), code("320412"));
    EXPECT_LT(code("320411"), code("320411002000"));
    EXPECT_LT(code("320411122000"), code("320412"));

    std::unordered_set<DivisionCode> set = {code("3204"), code("320400000000"), code("320411"), code("340604")};
    EXPECT_EQ(set.size(), 3u);
    EXPECT_EQ(set.count(code("320411000000")), 1u);
    EXPECT_EQ(std::hash<DivisionCode>{}(code("3204")), std::hash<DivisionCode>{}(code("320400000000")));

    std::vector<DivisionCode> sorted = {code("340604"), code("320411101004"), code("32"), code("320411")};
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(texts(sorted),
              (std::vector<std::string>{"320000000000", "320411000000", "320411101004", "340604000000"}));
}

TEST(DivisionCodeTest, PrintsItsDigits) {
    std::ostringstream out;
    out << code("3204") << ' ' << DivisionLevel::District << ' ' << scope("320411000000");
    EXPECT_EQ(out.str(), "320400000000 district 320411");
}

TEST(DivisionCodeTest, LevelNamesAndDigitCounts) {
    EXPECT_EQ(divisionLevelName(DivisionLevel::Province), "province");
    EXPECT_EQ(divisionLevelName(DivisionLevel::City), "city");
    EXPECT_EQ(divisionLevelName(DivisionLevel::District), "district");
    EXPECT_EQ(divisionLevelName(DivisionLevel::Township), "township");
    EXPECT_EQ(divisionLevelName(DivisionLevel::Village), "village");
    EXPECT_EQ(significantDigits(DivisionLevel::Province), 2u);
    EXPECT_EQ(significantDigits(DivisionLevel::City), 4u);
    EXPECT_EQ(significantDigits(DivisionLevel::District), 6u);
    EXPECT_EQ(significantDigits(DivisionLevel::Township), 9u);
    EXPECT_EQ(significantDigits(DivisionLevel::Village), 12u);
}

TEST(DivisionScopeTest, ParsesPrefixesAndPaddedCodes) {
    EXPECT_EQ(scope("32").prefix(), "32");
    EXPECT_EQ(scope("3204").prefix(), "3204");
    EXPECT_EQ(scope("3204").level(), DivisionLevel::City);
    EXPECT_EQ(scope("320411").prefix(), "320411");
    EXPECT_EQ(scope("320411").level(), DivisionLevel::District);
    EXPECT_EQ(scope("320411101").prefix(), "320411101");
    EXPECT_EQ(scope("320411101").level(), DivisionLevel::Township);
    EXPECT_EQ(scope("320411101004").level(), DivisionLevel::Village);
    EXPECT_EQ(scope("320411000000"), scope("320411"));
    EXPECT_EQ(scope("320411000000").prefix(), "320411");
    EXPECT_EQ(scope("320400").prefix(), "3204");
    EXPECT_EQ(scope("320411000000").root().text(), "320411000000");
    EXPECT_EQ(DivisionScope::of(code("340604001")), scope("340604001"));
}

TEST(DivisionScopeTest, RejectsBadScopesWithScopeInTheMessage) {
    EXPECT_EQ(DivisionScope::parse("32041").error, "Division scope \"32041\" has 5 digits; expected 2, 4, 6, 9 or 12");
    EXPECT_EQ(DivisionScope::parse("").error, "Division scope is empty");
    EXPECT_EQ(DivisionScope::parse("320000101").error,
              "Division scope \"320000101\" has a zero city part but a non-zero township part");
    EXPECT_EQ(DivisionScope::parse("3204*").error,
              "Division scope \"3204*\" contains \"*\" at character 5; only digits are allowed");
    EXPECT_FALSE(DivisionScope::parse("3204*").scope.has_value());
}

TEST(DivisionScopeTest, TownshipScopeSeesExactlyItsNineDigits) {
    const DivisionScope township = scope("320411101");  // 孟河镇
    EXPECT_TRUE(township.contains(code("320411101000")));
    EXPECT_TRUE(township.contains(code("320411101004")));
    EXPECT_TRUE(township.contains(code("320411101500")));
    EXPECT_FALSE(township.contains(code("320411102201")));
    EXPECT_FALSE(township.contains(code("320411103000")));
    EXPECT_FALSE(township.contains(code("320411100101")));
    EXPECT_FALSE(township.contains(code("320411")));  // its district is above it
    EXPECT_FALSE(township.contains(code("320412101004")));
}

TEST(DivisionScopeTest, ContainmentAcrossLevels) {
    const DivisionCode village = code("340604001001");  // 烈山区杨庄街道淮选社区
    EXPECT_TRUE(village.isWithin(scope("34")));
    EXPECT_TRUE(village.isWithin(scope("3406")));
    EXPECT_TRUE(village.isWithin(scope("340604")));
    EXPECT_TRUE(village.isWithin(scope("340604001")));
    EXPECT_TRUE(village.isWithin(scope("340604001001")));
    EXPECT_FALSE(village.isWithin(scope("340604001002")));
    EXPECT_FALSE(village.isWithin(scope("340604002")));
    EXPECT_FALSE(village.isWithin(scope("340603")));
    EXPECT_FALSE(village.isWithin(scope("3404")));
    EXPECT_FALSE(village.isWithin(scope("32")));

    const DivisionScope district = scope("320411");
    EXPECT_FALSE(district.contains(code("320412")));
    EXPECT_FALSE(district.contains(code("3204")));
    EXPECT_TRUE(district.contains(code("320411")));
}

TEST(DivisionScopeTest, ScopeContainsNarrowerScopes) {
    EXPECT_TRUE(scope("3204").contains(scope("320411101")));
    EXPECT_TRUE(scope("320411").contains(scope("320411")));
    EXPECT_FALSE(scope("320411101").contains(scope("320411")));
    EXPECT_FALSE(scope("320411101").contains(scope("320411102")));
}

TEST(DivisionScopeTest, CityWithoutCountiesScope) {
    const DivisionScope dongguan = scope("441900");
    EXPECT_EQ(dongguan.level(), DivisionLevel::City);
    EXPECT_EQ(dongguan.prefix(), "4419");
    EXPECT_TRUE(dongguan.contains(code("441900003001")));
    EXPECT_TRUE(scope("441900003").contains(code("441900003001")));
    EXPECT_FALSE(scope("441900003").contains(code("441900004001")));
}

TEST(DivisionScopeTest, HashesAndOrdersByValue) {
    std::unordered_set<DivisionScope> set = {scope("320411"), scope("320411000000"), scope("3204")};
    EXPECT_EQ(set.size(), 2u);
    EXPECT_LT(scope("3204"), scope("320411"));
}

}  // namespace
}  // namespace gateway::model
