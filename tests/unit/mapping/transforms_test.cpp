#include "mapping_fixture.h"

#include "gateway/common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::mapping {
namespace {

using testing::addressMapping;
using testing::mappingWith;
using testing::rowWith;

/// Maps {"id": "R1", "v": VALUE} through `spec` into address.
MappedRecord mapValue(std::string_view spec, std::string_view json_value) {
    return addressMapping(spec).apply(rowWith("v", json_value));
}

/// The address produced, failing the test unless the row was accepted without warnings.
std::string accepted(std::string_view spec, std::string_view json_value) {
    const MappedRecord result = mapValue(spec, json_value);
    EXPECT_EQ(result.outcome, Outcome::Accepted)
        << result.reason << (result.warnings.empty() ? "" : result.warnings[0]);
    return result.record.address;
}

std::string quarantineReason(std::string_view spec, std::string_view json_value) {
    const MappedRecord result = mapValue(spec, json_value);
    EXPECT_EQ(result.outcome, Outcome::Quarantined);
    return result.reason;
}

/// The facts object produced for a value mapped into facts.v.
std::string factsOf(std::string_view spec, std::string_view json_value) {
    const MappedRecord result = mappingWith("\"facts.v\": " + std::string(spec)).apply(rowWith("v", json_value));
    EXPECT_NE(result.outcome, Outcome::Quarantined) << result.reason;
    return result.record.facts;
}

std::string repeated(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) {
        out += unit;
    }
    return out;
}

// trim ------------------------------------------------------------------------------------------------------------

TEST(TrimTransformTest, RemovesAsciiAndUnicodeSpacesAtBothEnds) {
    const std::string spec = R"({"from": "/v", "transforms": ["trim"]})";
    EXPECT_EQ(accepted(spec, R"("  江苏省常州市  ")"), "江苏省常州市");
    EXPECT_EQ(accepted(spec, R"("\u3000江苏省\u00a0\t")"), "江苏省");
    EXPECT_EQ(accepted(spec, R"("a  b")"), "a  b");
}

TEST(TrimTransformTest, BlankBecomesAbsentAndCharactersOutsideTheBmpSurvive) {
    const std::string spec = R"({"from": "/v", "transforms": ["trim"]})";
    EXPECT_EQ(accepted(spec, R"("   \u3000 ")"), "");
    EXPECT_EQ(accepted(spec, R"("")"), "");
    EXPECT_EQ(accepted(spec, R"(" 𠮷野家 ")"), "𠮷野家");
    EXPECT_EQ(accepted(spec, R"("\ud842\udfb7")"), "𠮷");  // the same character as a surrogate pair escape
}

TEST(TrimTransformTest, KeepsALongValueWhole) {
    const std::string body = repeated("长", 3500);  // 10.5 kB
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": ["trim"]})", "\"  " + body + "  \""), body);
}

// half_width, upper, lower, remove_spaces --------------------------------------------------------------------------

TEST(HalfWidthTransformTest, FoldsFullWidthFormsOnly) {
    const std::string spec = R"({"from": "/v", "transforms": ["half_width"]})";
    EXPECT_EQ(accepted(spec, R"("３２０４１１（ＡＢｃ）")"), "320411(ABc)");
    EXPECT_EQ(accepted(spec, R"("a\u3000b")"), "a b");
    EXPECT_EQ(accepted(spec, R"("𠮷　野")"), "𠮷 野");
    EXPECT_EQ(accepted(spec, R"("ぁ张三")"), "ぁ张三");
}

TEST(CaseTransformTest, ChangesAsciiLettersOnly) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": ["upper"]})", R"("g3204x 张ä")"), "G3204X 张ä");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": ["lower"]})", R"("X320Ä𠮷")"), "x320Ä𠮷");
}

TEST(RemoveSpacesTransformTest, RemovesEverySpace) {
    const std::string spec = R"({"from": "/v", "transforms": ["remove_spaces"]})";
    EXPECT_EQ(accepted(spec, R"(" x 320\u3000101 001 ")"), "x320101001");
    EXPECT_EQ(accepted(spec, R"("139 1234\u00a05678")"), "13912345678");
    EXPECT_EQ(accepted(spec, R"("   ")"), "");
}

// strip_prefix, default, concat -----------------------------------------------------------------------------------

TEST(StripPrefixTransformTest, RemovesThePrefixWhenPresent) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"strip_prefix": "G"}]})", R"("G320411201403051248")"),
              "320411201403051248");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"strip_prefix": "G"}]})", R"("J320411201403051248")"),
              "J320411201403051248");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"strip_prefix": "G"}]})", R"("G")"), "");
}

TEST(StripPrefixTransformTest, OtherwiseEmptiesOrFails) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"strip_prefix": {"prefix": "G", "otherwise": "empty"}}]})",
                       R"("L32041120140305123")"),
              "");
    EXPECT_EQ(quarantineReason(
                  R"({"from": "/v", "transforms": [{"strip_prefix": {"prefix": "前缀", "otherwise": "error"}}]})",
                  R"("L32")"),
              R"(address (/v): "L32" does not start with "前缀")");
}

TEST(DefaultTransformTest, FillsOnlyAbsentValues) {
    const std::string spec = R"({"from": "/v", "transforms": ["trim", {"default": "不详"}]})";
    EXPECT_EQ(accepted(spec, "null"), "不详");
    EXPECT_EQ(accepted(spec, R"("  ")"), "不详");
    EXPECT_EQ(accepted(spec, R"("村")"), "村");
    EXPECT_EQ(addressMapping(spec).apply(R"({"id": "R1"})").record.address, "不详");
}

TEST(ConcatTransformTest, JoinsPartsAndSkipsEmptyOnes) {
    const Mapping mapping = addressMapping(
        R"({"from": "/a", "transforms": [{"concat": {"parts": [{"from": "/b"}, {"const": "号"}, {"column": "c/d"}],
            "separator": " "}}]})");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": "龙城大道", "b": "8", "c/d": "𠮷"})").record.address,
              "龙城大道 8 号 𠮷");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "b": "8", "c/d": null})").record.address, "8 号");
}

TEST(ConcatTransformTest, FailsWhenAPartIsNotText) {
    const Mapping mapping = addressMapping(R"({"from": "/a", "transforms": [{"concat": [{"from": "/b"}]}]})");
    const MappedRecord result = mapping.apply(R"({"id": "R1", "a": "x", "b": {"c": 1}})");
    ASSERT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, "address (/a): concat part /b is an object, expected a text value");
}

// regex_extract, blank_if_match -----------------------------------------------------------------------------------

TEST(RegexExtractTransformTest, TakesTheCapturedGroup) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"regex_extract": "([0-9]+)元"}]})", R"("月补助620元")"),
              "620");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"regex_extract": {"pattern": "^(.)(.+)$", "group": 2}}]})",
                       R"("张子涵")"),
              "子涵");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"regex_extract": {"pattern": "[0-9]+", "group": 0}}]})",
                       R"("No.42")"),
              "42");
}

TEST(RegexExtractTransformTest, MatchesCodePointsNotBytes) {
    // One "." is one character, also for 𠮷 (four bytes in UTF-8).
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"regex_extract": "^(.)野$"}]})", R"("𠮷野")"), "𠮷");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"regex_extract": "^张(.{2})$"}]})", R"("张𠮷涵")"), "𠮷涵");
}

TEST(RegexExtractTransformTest, NoMatchFailsEmptiesOrKeeps) {
    EXPECT_EQ(quarantineReason(R"j({"from": "/v", "transforms": [{"regex_extract": "([0-9]+)"}]})j", R"("无")"),
              R"j(address (/v): "无" does not match "([0-9]+)")j");
    EXPECT_EQ(
        accepted(
            R"j({"from": "/v", "transforms": [{"regex_extract": {"pattern": "([0-9]+)", "on_no_match": "empty"}}]})j",
            R"("无")"),
        "");
    EXPECT_EQ(
        accepted(
            R"j({"from": "/v", "transforms": [{"regex_extract": {"pattern": "([0-9]+)", "on_no_match": "keep"}}]})j",
            R"("无")"),
        "无");
}

TEST(RegexExtractTransformTest, RefusesInputsTooLongForTheRegexEngine) {
    const std::string reason = quarantineReason(R"({"from": "/v", "transforms": [{"regex_extract": "(a+)+$"}]})",
                                                "\"" + repeated("a", 10240) + "\"");
    EXPECT_NE(reason.find("is 10240 characters long; patterns only run on up to 1000"), std::string::npos) << reason;
}

TEST(BlankIfMatchTransformTest, DropsMatchingValuesWithTheGivenWarning) {
    const std::string spec =
        R"({"from": "/v", "transforms": [{"blank_if_match": {"pattern": "^小.$", "warning": "placeholder"}}]})";
    const MappedRecord dropped = mapValue(spec, R"("小𠮷")");
    ASSERT_EQ(dropped.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(dropped.record.address, "");
    ASSERT_EQ(dropped.warnings.size(), 1u);
    EXPECT_EQ(dropped.warnings[0], R"(address (/v): "小𠮷" dropped: placeholder)");
    EXPECT_EQ(accepted(spec, R"("小明明")"), "小明明");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"blank_if_match": "^(无|-)$"}]})", R"("无")"), "");
}

// date, datetime ---------------------------------------------------------------------------------------------------

TEST(DateTransformTest, ReadsTheLayoutsDepartmentsExport) {
    const std::string spec = R"({"from": "/v", "transforms": ["date"]})";
    EXPECT_EQ(factsOf(spec, R"("20140305")"), R"({"v":"2014-03-05"})");
    EXPECT_EQ(factsOf(spec, R"("2014/3/5")"), R"({"v":"2014-03-05"})");
    EXPECT_EQ(factsOf(spec, R"("2014年3月5日")"), R"({"v":"2014-03-05"})");
    EXPECT_EQ(factsOf(spec, R"("２０１４－０３－０５")"), R"({"v":"2014-03-05"})");
    EXPECT_EQ(factsOf(spec, R"("2014-03-05 00:00:00")"), R"({"v":"2014-03-05"})");
    EXPECT_EQ(factsOf(spec, "41703"), R"({"v":"2014-03-05"})");  // an Excel serial sent as a JSON number
    EXPECT_EQ(factsOf(spec, R"("2016-02-29")"), R"({"v":"2016-02-29"})");
}

TEST(DateTransformTest, ImpossibleDatesQuarantineTheRowNamingFieldAndValue) {
    const std::string spec = R"({"from": "/v", "transforms": ["date"]})";
    EXPECT_EQ(quarantineReason(spec, R"("2014-02-30")"),
              R"(address (/v): date "2014-02-30" is not a real date: February 2014 has only 28 days)");
    EXPECT_EQ(quarantineReason(spec, R"("2015-02-29")"),
              R"(address (/v): date "2015-02-29" is not a real date: 2015 is not a leap year)");
    EXPECT_EQ(quarantineReason(spec, R"("05/03/2014")").substr(0, 36), R"(address (/v): date "05/03/2014" has )");
    EXPECT_EQ(accepted(spec, R"("  ")"), "");
}

TEST(DateTransformTest, HostileInputIsRejectedNotCrashed) {
    const std::string spec = R"({"from": "/v", "transforms": ["date"]})";
    EXPECT_NE(quarantineReason(spec, "\"" + repeated("9", 10240) + "\"").find("unrecognised format"),
              std::string::npos);
    EXPECT_EQ(quarantineReason(spec, R"("2014\u0000-03-05")"), R"(address (/v): "2014\x00-03-05" contains U+0000)");
}

TEST(DatetimeTransformTest, NormalisesToUtc) {
    const std::string spec = R"({"from": "/v", "transforms": ["datetime"]})";
    EXPECT_EQ(factsOf(spec, R"("2026-11-01T08:00:00Z")"), R"({"v":"2026-11-01T08:00:00Z"})");
    EXPECT_EQ(factsOf(spec, R"("2026-11-01 16:00:00")"), R"({"v":"2026-11-01T08:00:00Z"})");
    EXPECT_EQ(factsOf(spec, R"("2026-11-01 03:30")"), R"({"v":"2026-10-31T19:30:00Z"})");
    EXPECT_EQ(factsOf(spec, R"("20261101160000")"), R"({"v":"2026-11-01T08:00:00Z"})");
    EXPECT_EQ(factsOf(spec, R"("2026-11-01T08:00:00.123+08:00")"), R"({"v":"2026-11-01T00:00:00Z"})");
    EXPECT_EQ(factsOf(spec, R"("2026/1/1")"), R"({"v":"2025-12-31T16:00:00Z"})");
    EXPECT_EQ(factsOf(R"({"from": "/v", "transforms": [{"datetime": {"zone": "Z"}}]})", R"("2026-11-01 16:00:00")"),
              R"({"v":"2026-11-01T16:00:00Z"})");
}

TEST(DatetimeTransformTest, RejectsImpossibleTimes) {
    const std::string spec = R"({"from": "/v", "transforms": ["datetime"]})";
    EXPECT_EQ(quarantineReason(spec, R"("2026-02-29 10:00:00")"),
              R"(address (/v): "2026-02-29 10:00:00" is not a real date: 2026 is not a leap year)");
    EXPECT_EQ(quarantineReason(spec, R"("2026-11-01 24:00:00")"),
              R"(address (/v): "2026-11-01 24:00:00" is not a real time of day)");
    EXPECT_EQ(quarantineReason(spec, R"("yesterday")"),
              R"(address (/v): "yesterday" is not a date and time; expected e.g. 2026-11-01T08:00:00Z, )"
              R"(2026-11-01 16:00:00 or 20261101160000)");
}

// citizen_id -------------------------------------------------------------------------------------------------------

TEST(CitizenIdTransformTest, AcceptsAndNormalisesValidNumbers) {
    const std::string spec = R"({"from": "/v", "transforms": ["citizen_id"]})";
    EXPECT_EQ(factsOf(spec, R"("320411201403051248")"), R"({"v":"320411201403051248"})");
    EXPECT_EQ(factsOf(spec, R"("３４０５２４１９８００１０１００１ｘ")"), R"({"v":"34052419800101001X"})");
    EXPECT_EQ(factsOf(spec, R"(" 11010519491231002x ")"), R"({"v":"11010519491231002X"})");
}

TEST(CitizenIdTransformTest, UpgradesFifteenDigitsWithAWarning) {
    const MappedRecord result = mapValue(R"({"from": "/v", "transforms": ["citizen_id"]})", R"("110105491231002")");
    ASSERT_EQ(result.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(result.record.address, "11010519491231002X");
    EXPECT_EQ(result.warnings, std::vector<std::string>{
                                   R"(address (/v): 15-digit citizen ID "110105491231002" upgraded to 18 characters)"});
    const MappedRecord quiet =
        mapValue(R"({"from": "/v", "transforms": [{"citizen_id": {"warn_upgraded": false}}]})", R"("110105491231002")");
    EXPECT_EQ(quiet.outcome, Outcome::Accepted);
}

TEST(CitizenIdTransformTest, BadCheckDigitQuarantinesByDefault) {
    EXPECT_EQ(quarantineReason(R"({"from": "/v", "transforms": ["citizen_id"]})", R"("320411201403051249")"),
              R"(address (/v): citizen ID "320411201403051249" has check character 9, expected 8)");
}

TEST(CitizenIdTransformTest, BadCheckDigitCanBeKeptAsEvidence) {
    const MappedRecord result =
        mapValue(R"({"from": "/v", "transforms": [{"citizen_id": {"on_bad_check_digit": "keep"}}]})",
                 R"("３２０４１１２０１４０３０５１２４９")");
    ASSERT_EQ(result.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(result.record.address, "320411201403051249");
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_NE(result.warnings[0].find("has check character 9, expected 8; kept as evidence"), std::string::npos);
}

TEST(CitizenIdTransformTest, MalformedNumbersFailOrAreDroppedWithAWarning) {
    EXPECT_EQ(quarantineReason(R"({"from": "/v", "transforms": [{"citizen_id": {"on_bad_check_digit": "keep"}}]})",
                               R"("32041120140305")"),
              R"(address (/v): citizen ID "32041120140305" has 14 characters, expected 18 (or 15 for the old form))");
    const MappedRecord dropped =
        mapValue(R"({"from": "/v", "transforms": ["citizen_id"], "on_error": "warn"})", R"("3204112014030512𠮷")");
    ASSERT_EQ(dropped.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(dropped.record.address, "");
    ASSERT_EQ(dropped.warnings.size(), 1u);
    EXPECT_NE(dropped.warnings[0].find("only digits and a final X are allowed; value dropped"), std::string::npos)
        << dropped.warnings[0];
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": ["citizen_id"]})", R"(" ")"), "");
}

/// A record whose ID may have lost its century: {"id": "R1", "v": ID, "csrq": BIRTH}.
MappedRecord mapIdWithBirthDate(std::string_view options, std::string_view id, std::string_view birth) {
    const std::string spec = R"({"from": "/v", "transforms": [{"citizen_id": {"birth_date": {"from": "/csrq"})" +
                             std::string(options) + "}}]}";
    const std::string row =
        R"({"id": "R1", "v": ")" + std::string(id) + R"(", "csrq": ")" + std::string(birth) + R"("})";
    return addressMapping(spec).apply(row);
}

TEST(CitizenIdTransformTest, UpgradesFifteenDigitsWithTheCenturyOfTheRecordsBirthDate) {
    // Any layout the date transform reads, 年月日 included.
    for (const std::string_view birth : {"2014-03-05", "2014年3月5日", "20140305", "２０１４/3/5"}) {
        const MappedRecord result = mapIdWithBirthDate("", "320411140305124", birth);
        ASSERT_EQ(result.outcome, Outcome::AcceptedWithWarnings) << birth << ": " << result.reason;
        EXPECT_EQ(result.record.address, "320411201403051248") << birth;
        EXPECT_EQ(result.warnings, std::vector<std::string>{"address (/v): 15-digit citizen ID \"320411140305124\" "
                                                            "upgraded to 18 characters with the century of the "
                                                            "birth date 2014-03-05"});
    }
    const MappedRecord quiet = mapIdWithBirthDate(R"(, "warn_upgraded": false)", "320411160229105", "2016-02-29");
    EXPECT_EQ(quiet.outcome, Outcome::Accepted) << quiet.reason;
    EXPECT_EQ(quiet.record.address, "32041120160229105X");
    // 000229 alone is 1900-02-29, which did not exist; the birth date makes it 2000.
    EXPECT_EQ(mapIdWithBirthDate("", "110105000229002", "2000-02-29").record.address, "110105200002290021");
}

TEST(CitizenIdTransformTest, ContradictingBirthDateLeavesTheNumberOutWithAWarning) {
    const MappedRecord result =
        mapIdWithBirthDate(R"(, "on_bad_check_digit": "keep")", "320411140306124", "2014-03-05");
    ASSERT_EQ(result.outcome, Outcome::AcceptedWithWarnings) << result.reason;
    EXPECT_EQ(result.record.address, "");
    EXPECT_EQ(result.warnings,
              std::vector<std::string>{"address (/v): citizen ID \"320411140306124\" has birth date 140306 (YYMMDD), "
                                       "which contradicts the record's birth date 2014-03-05, so its century is "
                                       "unknown; left out, not upgraded with a guessed century"});
    // Across the turn of the century.
    const MappedRecord day_after = mapIdWithBirthDate("", "110105991231002", "2000-01-01");
    EXPECT_EQ(day_after.record.address, "");
    ASSERT_EQ(day_after.warnings.size(), 1u);
    EXPECT_NE(day_after.warnings[0].find("contradicts the record's birth date 2000-01-01"), std::string::npos);
}

TEST(CitizenIdTransformTest, BirthDateOptionLeavesOtherNumbersAsTheyWere) {
    // Without a readable birth date a 15-digit number gets 19, as GB 11643-1989 has it.
    for (const std::string_view birth : {"", "2014-02-30", "不详"}) {
        const MappedRecord result = mapIdWithBirthDate("", "320411140305124", birth);
        EXPECT_EQ(result.record.address, "320411191403051241") << birth;
        EXPECT_EQ(result.warnings, std::vector<std::string>{"address (/v): 15-digit citizen ID \"320411140305124\" "
                                                            "upgraded to 18 characters"});
    }
    const MappedRecord missing =
        addressMapping(R"({"from": "/v", "transforms": [{"citizen_id": {"birth_date": {"column": "出生日期"}}}]})")
            .apply(R"({"id": "R1", "v": "320411140305124"})");
    EXPECT_EQ(missing.record.address, "320411191403051241");
    // 18 characters carry their own century; a bad check digit is still the check digit's fault.
    EXPECT_EQ(mapIdWithBirthDate("", "320411201403051248", "2015-01-01").record.address, "320411201403051248");
    EXPECT_EQ(mapIdWithBirthDate("", "320411201403051249", "2014-03-05").reason,
              R"(address (/v): citizen ID "320411201403051249" has check character 9, expected 8)");
    EXPECT_EQ(mapIdWithBirthDate("", "32041114030512X", "2014-03-05").outcome, Outcome::Quarantined);
}

TEST(CitizenIdTransformTest, OldFormOutputKeepsOnlyFifteenDigitOriginals) {
    const std::string spec = R"({"from": "/v", "transforms": [{"citizen_id": {"output": "old_form"}}]})";
    EXPECT_EQ(accepted(spec, R"("320411140306124")"), "320411140306124");
    EXPECT_EQ(accepted(spec, R"(" ３２０４１１１４０３０５１２４　")"), "320411140305124");
    for (const std::string_view other : {R"("320411201403051248")", R"("32041114030512X")", R"("3204111403051")",
                                         R"("3204111403 05124")", R"("32041114030512𠮷")", R"("")", R"("无")"}) {
        EXPECT_EQ(accepted(spec, other), "") << other;
    }
}

// sex, ethnicity, name ---------------------------------------------------------------------------------------------

TEST(SexTransformTest, MapsSpellingsToGbT2261Codes) {
    const std::string spec = R"({"from": "/v", "transforms": ["sex"]})";
    EXPECT_EQ(accepted(spec, R"("男")"), "1");
    EXPECT_EQ(accepted(spec, R"(" 女性 ")"), "2");
    EXPECT_EQ(accepted(spec, R"("F")"), "2");
    EXPECT_EQ(accepted(spec, R"("２")"), "2");
    EXPECT_EQ(accepted(spec, "1"), "1");
    EXPECT_EQ(accepted(spec, R"("9")"), "9");
    EXPECT_EQ(accepted(spec, R"("")"), "");
    EXPECT_EQ(quarantineReason(spec, R"("3")").substr(0, 33), R"(address (/v): sex "3" is not reco)");
}

TEST(EthnicityTransformTest, MapsCodesAndNamesToTwoDigits) {
    const std::string spec = R"({"from": "/v", "transforms": ["ethnicity"]})";
    EXPECT_EQ(accepted(spec, R"("01")"), "01");
    EXPECT_EQ(accepted(spec, R"("1")"), "01");
    EXPECT_EQ(accepted(spec, R"("汉族")"), "01");
    EXPECT_EQ(accepted(spec, R"("回")"), "03");
    EXPECT_EQ(accepted(spec, R"("ＨＡ")"), "01");
    EXPECT_EQ(accepted(spec, R"("97")"), "97");
    EXPECT_NE(quarantineReason(spec, R"("火星族")").find("address (/v): "), std::string::npos);
}

TEST(NameTransformTest, NormalisesAndKeepsRareCharacters) {
    const std::string spec = R"({"from": "/v", "transforms": ["name"]})";
    EXPECT_EQ(accepted(spec, R"(" 张 子涵 ")"), "张子涵");
    EXPECT_EQ(accepted(spec, R"("𠮷野　家")"), "𠮷野家");
    EXPECT_EQ(accepted(spec, R"("阿依古丽 • 买买提")"), "阿依古丽·买买提");
    EXPECT_EQ(accepted(spec, R"("  ")"), "");
}

TEST(NameTransformTest, RejectsControlCharactersAndOverlongNames) {
    const std::string spec = R"({"from": "/v", "transforms": ["name"]})";
    EXPECT_EQ(quarantineReason(spec, R"("张\t三")"),
              R"(address (/v): name "张\x09三" contains control character U+0009 at character 2)");
    EXPECT_EQ(quarantineReason(spec, R"("张\u0000三")"), R"(address (/v): "张\x00三" contains U+0000)");
    const std::string reason = quarantineReason(spec, "\"" + repeated("名", 3500) + "\"");
    EXPECT_NE(reason.find("has 3500 characters after normalisation; at most 64 are allowed"), std::string::npos);
}

// division, division_lookup ----------------------------------------------------------------------------------------

TEST(DivisionTransformTest, PadsAndFoldsCodes) {
    const std::string spec = R"({"from": "/v", "transforms": ["division"]})";
    EXPECT_EQ(accepted(spec, R"("320411101201")"), "320411101201");
    EXPECT_EQ(accepted(spec, R"("320411")"), "320411000000");
    EXPECT_EQ(accepted(spec, R"("３２０４１１１０１")"), "320411101000");
    EXPECT_EQ(accepted(spec, "320411101201"), "320411101201");
    EXPECT_NE(quarantineReason(spec, R"("32041A")").find("address (/v): "), std::string::npos);
}

TEST(DivisionLookupTransformTest, FindsAUniqueNameWithinTheScope) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"division_lookup": "320411"}]})", R"("孟城社区居委会")"),
              "320411101004");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"division_lookup": "320412"}]})", R"("东方社区居委会")"),
              "320412100005");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"division_lookup": {"scope": "3204", "level": "township"}}]})",
                       R"("孟河镇")"),
              "320411101000");
}

TEST(DivisionLookupTransformTest, UnknownAndAmbiguousNamesAreReasons) {
    EXPECT_EQ(
        quarantineReason(R"({"from": "/v", "transforms": [{"division_lookup": "320411"}]})", R"("东方社区居委会")"),
        R"(address (/v): no division is named "东方社区居委会" within 320411)");
    EXPECT_EQ(quarantineReason(R"({"from": "/v", "transforms": [{"division_lookup": "3204"}]})", R"("东方社区居委会")"),
              R"(address (/v): "东方社区居委会" is ambiguous: 3 divisions have this name within 3204 )"
              R"((320404002001, 320412100005, 320413400009))");
}

// lookup, number, boolean ------------------------------------------------------------------------------------------

TEST(LookupTransformTest, TranslatesThroughACodeTable) {
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"lookup": "guardian_status"}]})", R"("外出务工")"),
              "migrant_worker");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"lookup": "relation"}]})", R"("祖母")"), "grandmother");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"lookup": "grade"}]})", R"("高三")"), "12");
}

TEST(LookupTransformTest, MissingCodesFailKeepWarnOrDefault) {
    EXPECT_EQ(quarantineReason(R"({"from": "/v", "transforms": [{"lookup": "guardian_status"}]})", R"("在家 ")"),
              R"(address (/v): "在家 " is not a code in table 'guardian_status')");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"lookup": {"table": "relation", "on_missing": "keep"}}]})",
                       R"("干爹")"),
              "干爹");
    EXPECT_EQ(accepted(R"({"from": "/v", "transforms": [{"lookup": {"table": "relation", "on_missing": "default",
                           "default": "other"}}]})",
                       R"("干爹")"),
              "other");
    const MappedRecord warned = mapValue(
        R"({"from": "/v", "transforms": [{"lookup": {"table": "relation", "on_missing": "warn"}}]})", R"("干爹")");
    ASSERT_EQ(warned.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(warned.record.address, "干爹");
    EXPECT_EQ(warned.warnings,
              std::vector<std::string>{R"(address (/v): "干爹" is not a code in table 'relation'; kept as is)"});
}

TEST(NumberTransformTest, WritesCanonicalJsonNumbers) {
    const std::string spec = R"({"from": "/v", "transforms": ["number"]})";
    EXPECT_EQ(factsOf(spec, R"("620.00")"), R"({"v":620.00})");
    EXPECT_EQ(factsOf(spec, R"(" 007 ")"), R"({"v":7})");
    EXPECT_EQ(factsOf(spec, R"("+5")"), R"({"v":5})");
    EXPECT_EQ(factsOf(spec, R"("-0.0")"), R"({"v":0.0})");
    EXPECT_EQ(factsOf(spec, R"("-.5")"), R"({"v":-0.5})");
    EXPECT_EQ(factsOf(spec, R"("１２")"), R"({"v":12})");
    EXPECT_EQ(factsOf(spec, "3250"), R"({"v":3250})");
    EXPECT_EQ(factsOf(spec, "1.5e3"), R"({"v":1.5e3})");
}

TEST(NumberTransformTest, RejectsWhatIsNotANumber) {
    const std::string spec = R"({"from": "/v", "transforms": ["number"]})";
    EXPECT_EQ(quarantineReason(spec, R"("1,200")"), R"(address (/v): "1,200" is not a number)");
    EXPECT_EQ(quarantineReason(spec, R"("12kg")"), R"(address (/v): "12kg" is not a number)");
    EXPECT_EQ(quarantineReason(spec, R"(".")"), R"(address (/v): "." is not a number)");
    EXPECT_EQ(quarantineReason(spec, R"("1e")"), R"(address (/v): "1e" is not a number)");
    const std::string whole = R"({"from": "/v", "transforms": [{"number": {"integer": true}}]})";
    EXPECT_EQ(factsOf(whole, R"("3.00")"), R"({"v":3})");
    EXPECT_EQ(quarantineReason(whole, R"("3.5")"), R"(address (/v): "3.5" is not a whole number)");
}

// A number past the range of a double (about 1.8e308) would be staged, then refused by every JSON reader of the
// staged record: the link job would skip the record and its profile would lose it. Below 1e-300, rapidjson's
// full-precision reader (parseSourceRecord) reads out of bounds.
TEST(NumberTransformTest, RejectsNumbersOutsideTheRangeOfJsonReaders) {
    const std::string spec = R"({"from": "/v", "transforms": ["number"]})";
    const std::string digits = "1" + repeated("0", 400);
    EXPECT_EQ(quarantineReason(spec, "\"" + digits + "\""),
              "address (/v): " + utf8::quote(digits) + " is too large for a JSON number");
    EXPECT_EQ(quarantineReason(spec, R"("-2e308")"), R"(address (/v): "-2e308" is too large for a JSON number)");
    EXPECT_EQ(quarantineReason(spec, R"("0.01e311")"), R"(address (/v): "0.01e311" is too large for a JSON number)");
    EXPECT_EQ(factsOf(spec, R"("1.5e308")"), R"({"v":1.5e308})");
    EXPECT_EQ(quarantineReason(spec, R"("1e-400")"), R"(address (/v): "1e-400" is too small for a JSON number)");
    EXPECT_EQ(quarantineReason(spec, "\"0." + repeated("0", 50) + "1e-300\""),
              "address (/v): " + utf8::quote("0." + repeated("0", 50) + "1e-300") + " is too small for a JSON number");
    EXPECT_EQ(quarantineReason(spec, R"("-1e-99999999999")"),
              R"(address (/v): "-1e-99999999999" is too small for a JSON number)");
    EXPECT_EQ(factsOf(spec, R"("1e-300")"), R"({"v":1e-300})");
    EXPECT_EQ(factsOf(spec, R"("0.0012e-297")"), R"({"v":0.0012e-297})");
    EXPECT_EQ(factsOf(spec, "\"0." + repeated("0", 400) + "1e+400\""), "{\"v\":0." + repeated("0", 400) + "1e+400}");
}

// rapidjson's full-precision reader, which reads staged records, has undefined behaviour on a zero spelt with an
// exponent below -22 or more than 22 decimals.
TEST(NumberTransformTest, WritesZeroPlainly) {
    const std::string spec = R"({"from": "/v", "transforms": ["number"]})";
    EXPECT_EQ(factsOf(spec, R"("0e-30")"), R"({"v":0})");
    EXPECT_EQ(factsOf(spec, "\"000." + repeated("0", 30) + "\""), R"({"v":0.0})");
    EXPECT_EQ(factsOf(spec, R"("-0.00E+5")"), R"({"v":0.0})");
    EXPECT_EQ(factsOf(spec, R"("0.001e-30")"), R"({"v":0.001e-30})");
}

TEST(BooleanTransformTest, ReadsYesAndNoWords) {
    const std::string spec = R"({"from": "/v", "transforms": ["boolean"]})";
    EXPECT_EQ(factsOf(spec, R"("是")"), R"({"v":true})");
    EXPECT_EQ(factsOf(spec, R"("No")"), R"({"v":false})");
    EXPECT_EQ(factsOf(spec, "true"), R"({"v":true})");
    EXPECT_EQ(factsOf(spec, "0"), R"({"v":false})");
    const std::string custom =
        R"({"from": "/v", "transforms": [{"boolean": {"true": ["已登记"], "false": ["未登记"]}}]})";
    EXPECT_EQ(factsOf(custom, R"("未登记")"), R"({"v":false})");
    EXPECT_EQ(quarantineReason(custom, R"("是")"), R"(address (/v): "是" is neither a yes (已登记) nor a no (未登记))");
}

TEST(PipelineTest, TransformsComposeInOrder) {
    const std::string spec =
        R"({"from": "/v", "transforms": ["half_width", "trim", "upper", {"strip_prefix": "G"}, "citizen_id"]})";
    EXPECT_EQ(accepted(spec, R"(" ｇ３２０４１１２０１４０３０５１２４８ ")"), "320411201403051248");
}

}  // namespace
}  // namespace gateway::mapping
