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

// A legacy system that cut 320411201403051248 (born 2014-03-05) down to 15 digits: the century and the check
// character are gone.
const std::string kTruncated = "320411140305124";

TEST(CitizenIdTest, UpgradesATruncatedNumberWithTheCenturyOfTheRecordsBirthDate) {
    // Without other evidence GB 11643-1989 says 19: a man born in 1914.
    const auto plain = parseCitizenId(kTruncated);
    ASSERT_TRUE(plain.ok()) << plain.error();
    EXPECT_EQ(plain->value(), "320411191403051241");

    const auto result = parseCitizenId(kTruncated, CalendarDate(2014, 3, 5));
    ASSERT_TRUE(result.ok()) << result.error();
    EXPECT_EQ(result->value(), "320411201403051248");
    EXPECT_EQ(result->birthDate(), CalendarDate(2014, 3, 5));
    EXPECT_TRUE(result->wasUpgraded());
    EXPECT_EQ(result->original(), kTruncated);
    EXPECT_EQ(result.details().normalised, "320411201403051248");
    EXPECT_EQ(*result, *parseCitizenId("320411201403051248"));
}

TEST(CitizenIdTest, TheRecordsBirthDateAlsoConfirmsNineteenAndEighteen) {
    const auto parent = parseCitizenId("110105491231002", CalendarDate(1949, 12, 31));
    ASSERT_TRUE(parent.ok()) << parent.error();
    EXPECT_EQ(parent->value(), "11010519491231002X");

    // The Annex A centenarian: only the birth date tells 1880 from 1980.
    EXPECT_EQ(parseCitizenId("440524800101001")->value(), "440524198001010013");
    const auto centenarian = parseCitizenId("440524800101001", CalendarDate(1880, 1, 1));
    ASSERT_TRUE(centenarian.ok()) << centenarian.error();
    EXPECT_EQ(centenarian->value(), "440524188001010014");
    EXPECT_EQ(centenarian->birthDate(), CalendarDate(1880, 1, 1));
}

TEST(CitizenIdTest, CenturyUpgradeAroundTheTurnOfTheCentury) {
    EXPECT_EQ(parseCitizenId("110105991231002", CalendarDate(1999, 12, 31))->value(), "110105199912310022");
    EXPECT_EQ(parseCitizenId("110105000101002", CalendarDate(2000, 1, 1))->value(), "110105200001010024");
    EXPECT_EQ(parseCitizenId("110105000101002", CalendarDate(1900, 1, 1))->value(), "110105190001010028");
    // One day apart across the turn of the century is a contradiction, not a guess.
    const auto result = parseCitizenId("110105991231002", CalendarDate(2000, 1, 1));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errorKind(), CitizenIdError::ContradictsBirthDate);
    EXPECT_EQ(parseCitizenId("110105000101002", CalendarDate(1999, 12, 31)).errorKind(),
              CitizenIdError::ContradictsBirthDate);
}

TEST(CitizenIdTest, TwentyNinthOfFebruaryNeedsTheRightCentury) {
    // 1900 was not a leap year, 2000 was: alone, 000229 is no date at all.
    EXPECT_EQ(parseCitizenId("110105000229002").errorKind(), CitizenIdError::BadBirthDate);
    const auto leap = parseCitizenId("110105000229002", CalendarDate(2000, 2, 29));
    ASSERT_TRUE(leap.ok()) << leap.error();
    EXPECT_EQ(leap->value(), "110105200002290021");
    EXPECT_EQ(leap->birthDate(), CalendarDate(2000, 2, 29));

    // 1916 and 2016 were both leap years; the 2016 number ends in X.
    EXPECT_EQ(parseCitizenId("320411160229105")->value(), "320411191602291053");
    const auto with_x = parseCitizenId("320411160229105", CalendarDate(2016, 2, 29));
    ASSERT_TRUE(with_x.ok()) << with_x.error();
    EXPECT_EQ(with_x->value(), "32041120160229105X");
    EXPECT_EQ(*with_x, *parseCitizenId("32041120160229105x"));

    // The day after is another day.
    EXPECT_EQ(parseCitizenId("320411160229105", CalendarDate(2016, 3, 1)).errorKind(),
              CitizenIdError::ContradictsBirthDate);
}

TEST(CitizenIdTest, ContradictingBirthDateGivesNoIdentity) {
    // The number says 14-03-06, the record 2014-03-05: one of them is wrong, and neither 1914 nor 2014 is known.
    const auto result = parseCitizenId("320411140306124", CalendarDate(2014, 3, 5));
    expectRejected(result, CitizenIdError::ContradictsBirthDate,
                   "citizen ID \"320411140306124\" has birth date 140306 (YYMMDD), which contradicts the record's "
                   "birth date 2014-03-05, so its century is unknown");
    EXPECT_EQ(result.details().normalised, "");

    // Year in century, month and day are each compared.
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(2015, 3, 5)).errorKind(), CitizenIdError::ContradictsBirthDate);
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(2014, 4, 5)).errorKind(), CitizenIdError::ContradictsBirthDate);
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(2014, 3, 15)).errorKind(), CitizenIdError::ContradictsBirthDate);
    // A number whose own date is impossible contradicts every real birth date.
    EXPECT_EQ(parseCitizenId("320411141305124", CalendarDate(2014, 3, 5)).errorKind(),
              CitizenIdError::ContradictsBirthDate);
    // Full-width digits and spaces are folded before the comparison.
    EXPECT_EQ(parseCitizenId(" ３２０４１１１４０３０５１２４ ", CalendarDate(2014, 3, 5))->value(),
              "320411201403051248");
}

TEST(CitizenIdTest, BirthDateEvidenceLeavesOtherFaultsAndEighteenCharactersAlone) {
    // A bad province is reported before the contradiction.
    EXPECT_EQ(parseCitizenId("990411140306124", CalendarDate(2014, 3, 5)).errorKind(), CitizenIdError::BadRegion);
    EXPECT_EQ(parseCitizenId("32041114030512X", CalendarDate(2014, 3, 5)).errorKind(), CitizenIdError::BadCharacter);
    EXPECT_EQ(parseCitizenId("3204111403051", CalendarDate(2014, 3, 5)).errorKind(), CitizenIdError::BadLength);
    // An 18-character number carries its own century: a birth date does not change how it is read.
    const auto full = parseCitizenId("320411201403051248", CalendarDate(2015, 1, 1));
    ASSERT_TRUE(full.ok()) << full.error();
    EXPECT_EQ(full->birthDate(), CalendarDate(2014, 3, 5));
    EXPECT_EQ(parseCitizenId("320411201403051249", CalendarDate(2014, 3, 5)).errorKind(),
              CitizenIdError::BadCheckDigit);
    EXPECT_EQ(parseCitizenId("11010519491231002x", CalendarDate(1949, 12, 31))->value(), "11010519491231002X");
}

TEST(CitizenIdTest, AnImpossibleBirthDateIsNoEvidence) {
    // 29 February 2001 and month 13 do not exist; dates before 1850 are outside what dates are read as.
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(2014, 2, 29))->value(), "320411191403051241");
    EXPECT_EQ(parseCitizenId("110105010229002", CalendarDate(2001, 2, 29)).errorKind(), CitizenIdError::BadBirthDate);
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(2014, 13, 5))->value(), "320411191403051241");
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(1814, 3, 5))->value(), "320411191403051241");
    EXPECT_EQ(parseCitizenId(kTruncated, CalendarDate(0, 0, 0))->value(), "320411191403051241");
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
