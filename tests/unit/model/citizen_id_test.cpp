#include "gateway/model/citizen_id.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::model {
namespace {

void expectRejected(const CitizenIdResult& result, CitizenIdError kind, const std::string& message) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), kind);
    EXPECT_EQ(result.error(), message);
}

TEST(CitizenIdTest, AcceptsTheAnnexAExampleWithCheckX) {
    const auto result = parseCitizenId("11010519491231002X");
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->value(), "11010519491231002X");
    EXPECT_EQ(result->regionCode(), "110105");
    EXPECT_EQ(result->birthDate(), CalendarDate(1949, 12, 31));
    EXPECT_EQ(result->sex(), Sex::Female);  // sequence 002
    EXPECT_FALSE(result->wasUpgraded());
    EXPECT_EQ(result.details().normalised, "11010519491231002X");
}

TEST(CitizenIdTest, AcceptsTheOtherPublishedExamples) {
    const auto annex_a = parseCitizenId("440524188001010014");
    ASSERT_TRUE(annex_a.ok()) << annex_a.error();
    EXPECT_EQ(annex_a->birthDate(), CalendarDate(1880, 1, 1));
    EXPECT_EQ(annex_a->sex(), Sex::Male);
    EXPECT_EQ(annex_a->regionCode(), "440524");  // an abolished county: only the province is checked

    const auto annex_b = parseCitizenId("34052419800101001X");
    ASSERT_TRUE(annex_b.ok()) << annex_b.error();
    EXPECT_EQ(annex_b->birthDate(), CalendarDate(1980, 1, 1));
    EXPECT_EQ(annex_b->sex(), Sex::Male);

    const auto stdnum = parseCitizenId("360426199101010071");
    ASSERT_TRUE(stdnum.ok()) << stdnum.error();
    EXPECT_EQ(stdnum->birthDate(), CalendarDate(1991, 1, 1));
    EXPECT_EQ(stdnum->sex(), Sex::Male);
    EXPECT_EQ(stdnum->regionCode(), "360426");
}

TEST(CitizenIdTest, ComputesTheCheckCharacterOfAnnexB) {
    EXPECT_EQ(CitizenId::checkCharacter("34052419800101001"), 'X');
    EXPECT_EQ(CitizenId::checkCharacter("36042619910101007"), '1');
    EXPECT_EQ(CitizenId::checkCharacter("32041120140305124"), '8');
    EXPECT_EQ(CitizenId::checkCharacter("11010519491231002"), 'X');
}

TEST(CitizenIdTest, CheckCharacterRefusesAnythingButSeventeenDigits) {
    EXPECT_EQ(CitizenId::checkCharacter(""), std::nullopt);
    EXPECT_EQ(CitizenId::checkCharacter("3405241980010100"), std::nullopt);
    EXPECT_EQ(CitizenId::checkCharacter("340524198001010011"), std::nullopt);
    EXPECT_EQ(CitizenId::checkCharacter("3405241980010100X"), std::nullopt);
    EXPECT_EQ(CitizenId::checkCharacter(std::string("3405241980010100\0", 17)), std::nullopt);
}

TEST(CitizenIdTest, RejectsWrongCheckDigit) {
    expectRejected(parseCitizenId("360426199101010070"), CitizenIdError::BadCheckDigit,
                   "citizen ID \"360426199101010070\" has check character 0, expected 1");
    expectRejected(parseCitizenId("360426199101010072"), CitizenIdError::BadCheckDigit,
                   "citizen ID \"360426199101010072\" has check character 2, expected 1");
    expectRejected(parseCitizenId("110105194912310021"), CitizenIdError::BadCheckDigit,
                   "citizen ID \"110105194912310021\" has check character 1, expected X");
    expectRejected(parseCitizenId("320411201403051249"), CitizenIdError::BadCheckDigit,
                   "citizen ID \"320411201403051249\" has check character 9, expected 8");
}

TEST(CitizenIdTest, WrongCheckDigitStillExposesTheNormalisedNumber) {
    // Full-width digits and a full-width lower-case x; the check character should be 1.
    const auto result = parseCitizenId(" ３６０４２６１９９１０１０１００７ｘ ");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), CitizenIdError::BadCheckDigit);
    EXPECT_EQ(result.details().normalised, "36042619910101007X");
    EXPECT_NE(result.error().find("has check character X, expected 1"), std::string::npos) << result.error();
}

TEST(CitizenIdTest, ReportsTheCheckDigitBeforeAnImpossibleDate) {
    // An impossible date and a wrong check character (X is expected): a typo shows as a check failure first.
    const auto result = parseCitizenId("320411201402300026");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), CitizenIdError::BadCheckDigit);
    EXPECT_EQ(result.details().normalised, "320411201402300026");
}

TEST(CitizenIdTest, UpgradesFifteenDigitNumbers) {
    const auto result = parseCitizenId("110105491231002");
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->value(), "11010519491231002X");
    EXPECT_TRUE(result->wasUpgraded());
    EXPECT_EQ(result->original(), "110105491231002");
    EXPECT_EQ(result->birthDate(), CalendarDate(1949, 12, 31));
    EXPECT_EQ(result->sex(), Sex::Female);
    EXPECT_EQ(*result, *parseCitizenId("11010519491231002X"));
}

TEST(CitizenIdTest, AcceptsLowerCaseXFullWidthAndSurroundingSpaces) {
    const auto lower = parseCitizenId("11010519491231002x");
    ASSERT_TRUE(lower.ok()) << lower.error();
    EXPECT_EQ(lower->value(), "11010519491231002X");

    const auto full_width = parseCitizenId("１１０１０５１９４９１２３１００２Ｘ");
    ASSERT_TRUE(full_width.ok()) << full_width.error();
    EXPECT_EQ(full_width->value(), "11010519491231002X");
    EXPECT_EQ(full_width->original(), "１１０１０５１９４９１２３１００２Ｘ");

    const std::string spaced = "\u3000\t 11010519491231002X\u00A0\n";
    const auto trimmed = parseCitizenId(spaced);
    ASSERT_TRUE(trimmed.ok()) << trimmed.error();
    EXPECT_EQ(trimmed->value(), "11010519491231002X");
    EXPECT_EQ(trimmed->original(), spaced);
}

TEST(CitizenIdTest, RejectsEmptyAndBlank) {
    expectRejected(parseCitizenId(""), CitizenIdError::Empty, "citizen ID is empty");
    expectRejected(parseCitizenId(" \t\u3000 "), CitizenIdError::Empty, "citizen ID \" \\x09\u3000 \" is blank");
    EXPECT_TRUE(parseCitizenId("   ").details().normalised.empty());
}

TEST(CitizenIdTest, RejectsWrongLength) {
    expectRejected(parseCitizenId("32041120140305124"), CitizenIdError::BadLength,
                   "citizen ID \"32041120140305124\" has 17 characters, expected 18 (or 15 for the old form)");
    expectRejected(parseCitizenId("3204112014030512480"), CitizenIdError::BadLength,
                   "citizen ID \"3204112014030512480\" has 19 characters, expected 18 (or 15 for the old form)");
    expectRejected(parseCitizenId("11010549123100"), CitizenIdError::BadLength,
                   "citizen ID \"11010549123100\" has 14 characters, expected 18 (or 15 for the old form)");
}

TEST(CitizenIdTest, RejectsTenKilobytesOfDigitsWithATruncatedQuote) {
    const std::string huge(10240, '7');
    const auto result = parseCitizenId(huge);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), CitizenIdError::BadLength);
    EXPECT_EQ(result.error(), "citizen ID \"" + std::string(40, '7') +
                                  "…\" has 10240 characters, expected 18 (or 15 for the old form)");
    EXPECT_TRUE(result.details().normalised.empty());
}

TEST(CitizenIdTest, RejectsLettersAndNamesTheirPosition) {
    expectRejected(parseCitizenId("3204112014O3051248"), CitizenIdError::BadCharacter,
                   "citizen ID \"3204112014O3051248\" contains \"O\" as its 11th character; only digits and a final X "
                   "are allowed");
    expectRejected(parseCitizenId("320411-20140305124"), CitizenIdError::BadCharacter,
                   "citizen ID \"320411-20140305124\" contains \"-\" as its 7th character; only digits and a final X "
                   "are allowed");
    EXPECT_EQ(parseCitizenId(std::string(10240, 'a')).errorKind(), CitizenIdError::BadCharacter);
}

TEST(CitizenIdTest, RejectsXAnywhereButTheEighteenthPosition) {
    expectRejected(parseCitizenId("3204112014030512X8"), CitizenIdError::BadCharacter,
                   "citizen ID \"3204112014030512X8\" has X as its 17th character; X is only allowed as the 18th "
                   "(check) character");
    EXPECT_EQ(parseCitizenId("11010549123100X").errorKind(), CitizenIdError::BadCharacter);
}

TEST(CitizenIdTest, RejectsEmbeddedNul) {
    const std::string with_nul(
        "320411\0"
        "01403051248",
        18);
    expectRejected(parseCitizenId(with_nul), CitizenIdError::BadCharacter,
                   "citizen ID \"320411\\x0001403051248\" contains \"\\x00\" as its 7th character; only digits and a "
                   "final X are allowed");
}

TEST(CitizenIdTest, RejectsInvalidUtf8WithTheByteOffset) {
    expectRejected(parseCitizenId("32041120140305124\xFF"), CitizenIdError::BadCharacter,
                   "citizen ID \"32041120140305124\\xFF\" is not valid UTF-8: invalid UTF-8 byte 0xFF at byte 17");
    EXPECT_EQ(parseCitizenId("\xE5\xBC").errorKind(), CitizenIdError::BadCharacter);  // truncated 张
}

TEST(CitizenIdTest, RejectsCharactersOutsideTheBmp) {
    expectRejected(parseCitizenId("32041120140305124\U00020BB7"), CitizenIdError::BadCharacter,
                   "citizen ID \"32041120140305124\U00020BB7\" contains \"\U00020BB7\" as its 18th character; only "
                   "digits and a final X are allowed");
}

TEST(CitizenIdTest, RejectsProvinceCodesOutsideTheValidSet) {
    expectRejected(parseCitizenId("990411201403051242"), CitizenIdError::BadRegion,
                   "citizen ID \"990411201403051242\" starts with 99, which is not a province-level code (11-15, "
                   "21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83)");
    const auto sixteen = parseCitizenId("160411201403051248");
    EXPECT_EQ(sixteen.errorKind(), CitizenIdError::BadRegion);
    EXPECT_EQ(sixteen.details().normalised, "160411201403051248");
    EXPECT_EQ(parseCitizenId("100411201403051247").errorKind(), CitizenIdError::BadRegion);
}

TEST(CitizenIdTest, AcceptsTaiwanAndResidencePermitRegions) {
    EXPECT_TRUE(parseCitizenId("71000020140305124X").ok());
    EXPECT_TRUE(parseCitizenId("810000199001010019").ok());
    EXPECT_TRUE(parseCitizenId("820000199001010010").ok());
    EXPECT_TRUE(parseCitizenId("830000199001010012").ok());
    EXPECT_TRUE(parseCitizenId("650100201403051249").ok());
}

TEST(CitizenIdTest, AcceptsTwentyNinthFebruaryOnlyInLeapYears) {
    const auto leap = parseCitizenId("320411201602290022");
    ASSERT_TRUE(leap.ok()) << leap.error();
    EXPECT_EQ(leap->birthDate(), CalendarDate(2016, 2, 29));

    const auto not_leap = parseCitizenId("320411201502290025");
    expectRejected(not_leap, CitizenIdError::BadBirthDate,
                   "citizen ID \"320411201502290025\" has birth date 20150229, which is not a real date: 2015 is not "
                   "a leap year");
    EXPECT_EQ(not_leap.details().normalised, "320411201502290025");
}

TEST(CitizenIdTest, RejectsThirtiethFebruary) {
    expectRejected(parseCitizenId("32041120140230002X"), CitizenIdError::BadBirthDate,
                   "citizen ID \"32041120140230002X\" has birth date 20140230, which is not a real date: February 2014 "
                   "has only 28 days");
}

TEST(CitizenIdTest, RejectsBirthYearsBefore1850) {
    expectRejected(parseCitizenId("320411184912310023"), CitizenIdError::BadBirthDate,
                   "citizen ID \"320411184912310023\" has birth date 18491231, before 1850");
    EXPECT_TRUE(parseCitizenId("320411185001010024").ok());
    EXPECT_TRUE(parseCitizenId("320411219912310020").ok());
}

TEST(CitizenIdTest, RejectsImpossibleDateInUpgradedNumber) {
    const auto result = parseCitizenId("110105490231002");  // 1949-02-31
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), CitizenIdError::BadBirthDate);
    EXPECT_EQ(result.details().normalised, "110105194902310026");
    EXPECT_EQ(result.error(),
              "citizen ID \"110105490231002\" has birth date 19490231, which is not a real date: "
              "February 1949 has only 28 days");
}

TEST(CitizenIdTest, DerivesSexFromTheParityOfTheSeventeenthDigit) {
    EXPECT_EQ(parseCitizenId("320411201403051248")->sex(), Sex::Female);  // 4
    EXPECT_EQ(parseCitizenId("320411201403051256")->sex(), Sex::Male);    // 5
}

TEST(CitizenIdTest, MasksAllButRegionAndLastFour) {
    EXPECT_EQ(parseCitizenId("320411201403051248")->masked(), "320411********1248");
    EXPECT_EQ(parseCitizenId("110105491231002")->masked(), "110105********002X");
}

TEST(CitizenIdTest, MaskCitizenIdHandlesAnyText) {
    EXPECT_EQ(maskCitizenId("320411201403051249"), "320411********1249");
    EXPECT_EQ(maskCitizenId("110105491231002"), "110105*****1002");
    EXPECT_EQ(maskCitizenId("11010549123100"), "**************");
    EXPECT_EQ(maskCitizenId("12345"), "*****");
    EXPECT_EQ(maskCitizenId(""), "");
    EXPECT_EQ(maskCitizenId("一二三四五六七八九十甲乙丙丁戊"), "一二三四五六*****乙丙丁戊");
    EXPECT_EQ(maskCitizenId("\xFF\xFE"), "**");
    EXPECT_EQ(maskCitizenId(std::string("320411\0"
                                        "0140305124899",
                                        20)),
              "320411**********4899");
    EXPECT_EQ(maskCitizenId(std::string(10240, '1')).size(), 10240u);
}

}  // namespace
}  // namespace gateway::model
