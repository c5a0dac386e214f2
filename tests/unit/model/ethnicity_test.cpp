#include "gateway/model/ethnicity.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gateway::model {
namespace {

void expectCode(std::string_view text, int expected) {
    const auto result = parseEthnicity(text);
    ASSERT_TRUE(result.ok()) << "\"" << text << "\": " << result.error();
    EXPECT_EQ(result->number(), expected) << "\"" << text << "\"";
}

void expectRejected(const EthnicityResult& result, EthnicityError kind, const std::string& message) {
    ASSERT_FALSE(result.ok()) << "parsed as " << result.value().code();
    EXPECT_EQ(result.errorKind(), kind);
    EXPECT_EQ(result.error(), message);
}

const std::string kUnknownTail = " is not recognised as a GB/T 3304 code, letter code, name or romanization";

TEST(EthnicityTest, TableHasThe56GroupsAndTwoExtensions) {
    const auto table = Ethnicity::table();
    ASSERT_EQ(table.size(), 58u);
    std::set<std::string_view> letter_codes;
    for (std::size_t i = 0; i < 56; ++i) {
        EXPECT_EQ(table[i].number, static_cast<int>(i) + 1);
        EXPECT_EQ(table[i].letter_code.size(), 2u) << table[i].name;
        letter_codes.insert(table[i].letter_code);
    }
    EXPECT_EQ(letter_codes.size(), 56u);
    EXPECT_EQ(table[56].number, 97);
    EXPECT_EQ(table[57].number, 98);
}

TEST(EthnicityTest, LooksUpByCode) {
    const auto han = Ethnicity::fromCode(1);
    ASSERT_TRUE(han.has_value());
    EXPECT_EQ(han->code(), "01");
    EXPECT_EQ(han->letterCode(), "HA");
    EXPECT_EQ(han->name(), "汉族");
    EXPECT_EQ(han->romanization(), "Han");
    EXPECT_TRUE(han->isStandard());

    const auto jino = Ethnicity::fromCode(56);
    ASSERT_TRUE(jino.has_value());
    EXPECT_EQ(jino->code(), "56");
    EXPECT_EQ(jino->letterCode(), "JN");
    EXPECT_EQ(jino->name(), "基诺族");
    EXPECT_EQ(jino->romanization(), "Jino");

    const auto foreign = Ethnicity::fromCode(98);
    ASSERT_TRUE(foreign.has_value());
    EXPECT_EQ(foreign->name(), "外国血统中国籍人士");
    EXPECT_EQ(foreign->letterCode(), "");
    EXPECT_FALSE(foreign->isStandard());

    EXPECT_FALSE(Ethnicity::fromCode(0).has_value());
    EXPECT_FALSE(Ethnicity::fromCode(57).has_value());
    EXPECT_FALSE(Ethnicity::fromCode(96).has_value());
    EXPECT_FALSE(Ethnicity::fromCode(99).has_value());
    EXPECT_FALSE(Ethnicity::fromCode(-1).has_value());
}

TEST(EthnicityTest, ParsesNumericCodesWithOrWithoutLeadingZero) {
    expectCode("01", 1);
    expectCode("1", 1);
    expectCode("05", 5);
    expectCode("56", 56);
    expectCode("97", 97);
    expectCode("98", 98);
    expectCode("０１", 1);
}

TEST(EthnicityTest, ParsesLetterCodesInAnyCase) {
    expectCode("HA", 1);
    expectCode("ha", 1);
    expectCode("ZA", 4);  // 藏族 in GB 3304, whatever other schemes say
    expectCode("Ug", 5);
    expectCode("JN", 56);
}

TEST(EthnicityTest, ParsesChineseNamesWithOrWithoutZu) {
    expectCode("汉", 1);
    expectCode("汉族", 1);
    expectCode("汉族人", 1);
    expectCode("回", 3);
    expectCode("壮族", 8);
    expectCode("蒙古", 2);
    expectCode("土族", 30);
    expectCode("土家族", 15);
    expectCode("土家", 15);
    expectCode("俄罗斯族", 44);
    expectCode("其他", 97);
    expectCode("外国血统中国籍人士", 98);
}

TEST(EthnicityTest, ParsesOldNames) {
    expectCode("毛难族", 36);
    expectCode("毛难", 36);
    expectCode("崩龙族", 46);
    expectCode("崩龙", 46);
}

TEST(EthnicityTest, ParsesRomanizationInAnyCase) {
    expectCode("Han", 1);
    expectCode("uygur", 5);
    expectCode("DONGXIANG", 26);
    expectCode("Tatar", 50);
    expectCode("Korean", 10);
    expectCode("tibetan", 4);
}

TEST(EthnicityTest, ParsesWithSurroundingSpacesAndFullWidthLetters) {
    expectCode(" \u3000汉族\t", 1);
    expectCode("ＨＡ", 1);
}

TEST(EthnicityTest, RejectsEmptyAndBlank) {
    expectRejected(parseEthnicity(""), EthnicityError::Empty, "ethnicity is empty");
    expectRejected(parseEthnicity("\u3000"), EthnicityError::Empty, "ethnicity \"\u3000\" is empty");
}

TEST(EthnicityTest, RejectsUnknownCodesAndNames) {
    expectRejected(parseEthnicity("57"), EthnicityError::Unknown,
                   "ethnicity \"57\" is code 57, which is neither a GB/T 3304 code (01 to 56) nor 97 or 98");
    expectRejected(parseEthnicity("00"), EthnicityError::Unknown,
                   "ethnicity \"00\" is code 0, which is neither a GB/T 3304 code (01 to 56) nor 97 or 98");
    expectRejected(parseEthnicity("001"), EthnicityError::Unknown, "ethnicity \"001\"" + kUnknownTail);
    expectRejected(parseEthnicity("XX"), EthnicityError::Unknown, "ethnicity \"XX\"" + kUnknownTail);
    expectRejected(parseEthnicity("族"), EthnicityError::Unknown, "ethnicity \"族\"" + kUnknownTail);
    expectRejected(parseEthnicity("人"), EthnicityError::Unknown, "ethnicity \"人\"" + kUnknownTail);
    expectRejected(parseEthnicity("汉汉族"), EthnicityError::Unknown, "ethnicity \"汉汉族\"" + kUnknownTail);
}

TEST(EthnicityTest, RejectsHostileBytes) {
    expectRejected(parseEthnicity(std::string("01\0", 3)), EthnicityError::Unknown,
                   "ethnicity \"01\\x00\"" + kUnknownTail);
    expectRejected(parseEthnicity(std::string("汉\0族", 7)), EthnicityError::Unknown,
                   "ethnicity \"汉\\x00族\"" + kUnknownTail);
    expectRejected(parseEthnicity("\xB1\xB1"), EthnicityError::Unknown,
                   "ethnicity \"\\xB1\\xB1\" is not valid UTF-8: invalid UTF-8 byte 0xB1 at byte 0");
    expectRejected(parseEthnicity("\U00020BB7族"), EthnicityError::Unknown,
                   "ethnicity \"\U00020BB7族\"" + kUnknownTail);
    const auto huge = parseEthnicity(std::string(10240, '1'));
    EXPECT_EQ(huge.errorKind(), EthnicityError::Unknown);
    EXPECT_EQ(huge.error(), "ethnicity \"" + std::string(40, '1') + "…\"" + kUnknownTail);
}

}  // namespace
}  // namespace gateway::model
