#include "mapping_fixture.h"

#include <gtest/gtest.h>

#include <string>

namespace gateway::mapping {
namespace {

using testing::addressMapping;
using testing::mappingWith;
using testing::rowWith;

MappedRecord mapValue(std::string_view spec, std::string_view json_value) {
    return addressMapping(spec).apply(rowWith("v", json_value));
}

// required ---------------------------------------------------------------------------------------------------------

TEST(RequiredTest, MissingNullAndBlankAllCountAsMissing) {
    const Mapping mapping = addressMapping(R"({"from": "/v", "transforms": ["trim"], "required": true})");
    for (const char* row : {R"({"id": "R1"})", R"({"id": "R1", "v": null})", R"({"id": "R1", "v": " \u3000"})"}) {
        const MappedRecord result = mapping.apply(row);
        EXPECT_EQ(result.outcome, Outcome::Quarantined) << row;
        EXPECT_EQ(result.reason, "address (/v): required, but missing or empty") << row;
    }
    EXPECT_EQ(mapping.apply(rowWith("v", R"("x")")).outcome, Outcome::Accepted);
}

TEST(RequiredTest, SoftRequirementWarnsOnce) {
    const MappedRecord missing = mapValue(R"({"from": "/v", "required": "soft"})", "null");
    EXPECT_EQ(missing.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(missing.warnings, std::vector<std::string>{"address (/v): missing or empty"});

    // A transform that already explained why the value is empty is enough.
    const MappedRecord placeholder = mapValue(
        R"({"from": "/v", "transforms": [{"blank_if_match": {"pattern": "^小.$", "warning": "placeholder"}}],
            "required": "soft"})",
        R"("小涵")");
    EXPECT_EQ(placeholder.warnings, std::vector<std::string>{R"(address (/v): "小涵" dropped: placeholder)"});
}

TEST(RequiredTest, ARequiredFieldCannotBeDroppedByOnErrorWarn) {
    const MappedRecord result =
        mapValue(R"({"from": "/v", "transforms": ["date"], "on_error": "warn", "required": true})", R"("2014-02-30")");
    EXPECT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, R"(address (/v): date "2014-02-30" is not a real date: February 2014 has only 28 days)");
}

TEST(RequiredTest, SourceIdIsAlwaysRequired) {
    const Mapping mapping = mappingWith(R"("name": "/xm")");
    const MappedRecord result = mapping.apply(R"({"xm": "张三"})");
    EXPECT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, "source_id (/id): required, but missing or empty");
    EXPECT_EQ(result.record.source, "test");
}

// date_range -------------------------------------------------------------------------------------------------------

TEST(DateRangeValidationTest, RejectsDatesAfterTheAsOfDate) {
    const std::string spec =
        R"({"from": "/v", "transforms": ["date"], "validate": [{"date_range": {"not_after": "as_of"}}]})";
    EXPECT_EQ(mapValue(spec, R"("2026-11-01")").outcome, Outcome::Accepted);
    const MappedRecord future = mapValue(spec, R"("2026-11-02")");
    EXPECT_EQ(future.outcome, Outcome::Quarantined);
    EXPECT_EQ(future.reason, "address (/v): 2026-11-02 is after the as-of date 2026-11-01");
}

TEST(DateRangeValidationTest, MaxYearsBeforeIsInclusiveOfTheAnniversary) {
    const std::string spec =
        R"({"from": "/v", "transforms": ["date"], "validate": [{"date_range": {"max_years_before": 18}}]})";
    EXPECT_EQ(mapValue(spec, R"("2008-11-01")").outcome, Outcome::Accepted);
    const MappedRecord old = mapValue(spec, R"("2008-10-31")");
    EXPECT_EQ(old.outcome, Outcome::Quarantined);
    EXPECT_EQ(old.reason, "address (/v): 2008-10-31 is more than 18 years before the as-of date 2026-11-01");
}

TEST(DateRangeValidationTest, AsOfCanBeGivenPerCall) {
    const Mapping mapping = addressMapping(
        R"({"from": "/v", "transforms": ["date"], "validate": [{"date_range": {"not_after": "as_of"}}]})");
    EXPECT_EQ(mapping.apply(rowWith("v", R"("2027-01-01")")).outcome, Outcome::Quarantined);
    EXPECT_EQ(mapping.apply(rowWith("v", R"("2027-01-01")"), model::CalendarDate(2027, 6, 1)).outcome,
              Outcome::Accepted);
}

TEST(DateRangeValidationTest, FixedBoundsAndSoftness) {
    const std::string spec = R"({"from": "/v", "transforms": ["date"], "validate": [
        {"date_range": {"not_before": "2000-01-01", "not_after": "2030-12-31"}, "soft": true}]})";
    const MappedRecord early = mapValue(spec, R"("1999-12-31")");
    EXPECT_EQ(early.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(early.record.address, "1999-12-31");
    EXPECT_EQ(early.warnings, std::vector<std::string>{"address (/v): 1999-12-31 is before 2000-01-01"});
    EXPECT_EQ(mapValue(spec, R"("2031-01-01")").warnings,
              std::vector<std::string>{"address (/v): 2031-01-01 is after 2030-12-31"});
}

TEST(DateRangeValidationTest, NeedsADate) {
    const MappedRecord result =
        mapValue(R"({"from": "/v", "validate": [{"date_range": {"not_after": "as_of"}}]})", R"("soon")");
    EXPECT_EQ(result.reason, R"(address (/v): "soon" is not a date, so its range cannot be checked)");
}

// in_table, in_directory, matches, max_length, range ---------------------------------------------------------------

TEST(InTableValidationTest, ChecksCodesWithoutTranslating) {
    const std::string spec = R"({"from": "/v", "validate": [{"in_table": "enrolment_status"}]})";
    EXPECT_EQ(mapValue(spec, R"("在读")").record.address, "在读");
    EXPECT_EQ(mapValue(spec, R"("旷课")").reason, R"(address (/v): "旷课" is not a code in table 'enrolment_status')");
}

TEST(InDirectoryValidationTest, ChecksTheDivisionExists) {
    const std::string spec =
        R"({"from": "/v", "transforms": ["division"], "validate": [{"in_directory": true, "soft": true}]})";
    EXPECT_EQ(mapValue(spec, R"("320411101004")").outcome, Outcome::Accepted);
    const MappedRecord stale = mapValue(spec, R"("320411999999")");
    EXPECT_EQ(stale.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(stale.record.address, "320411999999");
    EXPECT_EQ(stale.warnings,
              std::vector<std::string>{"address (/v): division 320411999999 is not in the division directory"});
}

TEST(MatchesValidationTest, ChecksAPattern) {
    const std::string spec = R"({"from": "/v", "validate": [{"matches": "^[A-Z][0-9]{9}$"}]})";
    EXPECT_EQ(mapValue(spec, R"("X320101001")").outcome, Outcome::Accepted);
    EXPECT_EQ(mapValue(spec, R"("X32010100")").reason, R"(address (/v): "X32010100" does not match "^[A-Z][0-9]{9}$")");
}

TEST(MaxLengthValidationTest, CountsCodePoints) {
    const std::string spec = R"({"from": "/v", "validate": [{"max_length": 3}]})";
    EXPECT_EQ(mapValue(spec, R"("𠮷𠮷𠮷")").outcome, Outcome::Accepted);  // 12 bytes, 3 characters
    EXPECT_EQ(mapValue(spec, R"("𠮷𠮷𠮷𠮷")").reason,
              R"(address (/v): "𠮷𠮷𠮷𠮷" is 4 characters long, over the limit of 3)");
    std::string long_value(10240, 'a');
    const MappedRecord result =
        mapValue(R"({"from": "/v", "validate": [{"max_length": 200}]})", "\"" + long_value + "\"");
    EXPECT_NE(result.reason.find("is 10240 characters long, over the limit of 200"), std::string::npos);
}

TEST(RangeValidationTest, ChecksNumericBounds) {
    const std::string spec =
        R"({"from": "/v", "transforms": ["number"], "validate": [{"range": {"min": 300, "max": 7000}}]})";
    EXPECT_EQ(mapValue(spec, R"("3250")").outcome, Outcome::Accepted);
    EXPECT_EQ(mapValue(spec, R"("299.5")").reason, "address (/v): 299.5 is below the minimum 300");
    EXPECT_EQ(mapValue(spec, R"("7001")").reason, "address (/v): 7001 is above the maximum 7000");
}

// canonical shapes -------------------------------------------------------------------------------------------------

TEST(TargetShapeTest, CanonicalTargetsRejectUntransformedValues) {
    const auto reason = [](std::string_view target, std::string_view value) {
        return mappingWith("\"" + std::string(target) + "\": \"/v\"").apply(rowWith("v", value)).reason;
    };
    EXPECT_EQ(reason("sex", R"("男")"),
              R"(sex (/v): "男" is not a GB/T 2261.1 sex code (0, 1, 2, 9); map it with the sex transform)");
    EXPECT_EQ(reason("birth_date", R"("20140305")"),
              R"(birth_date (/v): "20140305" is not a date as YYYY-MM-DD; map it with the date transform)");
    EXPECT_EQ(reason("birth_date", R"("2014-02-30")"),
              R"(birth_date (/v): "2014-02-30" is not a date as YYYY-MM-DD; map it with the date transform)");
    EXPECT_EQ(reason("id_number", R"("3204")"),
              R"(id_number (/v): "3204" is not an 18-character citizen ID; map it with the citizen_id transform)");
    EXPECT_EQ(reason("ethnicity", R"("汉族")"),
              R"(ethnicity (/v): "汉族" is not a two-digit GB/T 3304 code; map it with the ethnicity transform)");
    EXPECT_EQ(reason("hukou_division", R"("320411")"),
              R"(hukou_division (/v): "320411" is not a 12-digit division code; map it with the division transform)");
    EXPECT_EQ(reason("observed_at", R"("2026-11-01 08:00")"),
              R"(observed_at (/v): "2026-11-01 08:00" is not a UTC time as YYYY-MM-DDTHH:MM:SSZ; map it with the )"
              R"(datetime transform)");
    EXPECT_EQ(reason("observed_at", R"("2026-11-01T08:00:00Z")"), "");
}

TEST(TargetShapeTest, GuardianStatusMustBeInTheVocabulary) {
    const Mapping mapping = mappingWith(R"("guardians": [{"fields": {"name": "/n", "status": "/s"}}])");
    const MappedRecord result = mapping.apply(R"({"id": "R1", "n": "李娜", "s": "外出务工"})");
    EXPECT_EQ(result.reason,
              R"(guardians[0].status (/s): "外出务工" is not a guardian status of DESIGN §4; map it with a lookup)");
}

// rules ------------------------------------------------------------------------------------------------------------

Mapping ruleMapping(std::string_view soft) {
    const std::string text = R"({"source": "test", "version": 1, "fields": {
        "source_id": "/id",
        "id_number": {"from": "/sfzh", "transforms": ["citizen_id"]},
        "identifiers.student_no": {"from": "/xjh", "transforms": ["trim"]}},
        "rules": [{"at_least_one_of": ["id_number", "identifiers.student_no"], "soft": )" +
                             std::string(soft) + "}]}";
    return Mapping::parse(text, "rules.json", testing::testContext());
}

TEST(RuleTest, AtLeastOneOfQuarantinesRowsWithoutAnyIdentifier) {
    const Mapping mapping = ruleMapping("false");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "xjh": "L3204112014030512"})").outcome, Outcome::Accepted);
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "sfzh": "320411201403051248"})").outcome, Outcome::Accepted);
    const MappedRecord none = mapping.apply(R"({"id": "R1", "sfzh": "", "xjh": " "})");
    EXPECT_EQ(none.outcome, Outcome::Quarantined);
    EXPECT_EQ(none.reason,
              "at least one of id_number (/sfzh), identifiers.student_no (/xjh) is needed, and none has a value");
}

TEST(RuleTest, SoftRuleWarns) {
    const MappedRecord none = ruleMapping("true").apply(R"({"id": "R1"})");
    EXPECT_EQ(none.outcome, Outcome::AcceptedWithWarnings);
    EXPECT_EQ(none.warnings, std::vector<std::string>{"at least one of id_number (/sfzh), identifiers.student_no "
                                                      "(/xjh) is needed, and none has a value"});
}

}  // namespace
}  // namespace gateway::mapping
