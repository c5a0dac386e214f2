#include "mapping_fixture.h"

#include "gateway/model/source_record.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace gateway::mapping {
namespace {

using testing::addressMapping;
using testing::mappingWith;
using testing::rowWith;

// Rows that are not objects ----------------------------------------------------------------------------------------

TEST(MappingRowTest, RowsThatAreNotJsonObjectsAreQuarantined) {
    const Mapping mapping = addressMapping(R"("/a")");
    const auto reason = [&](std::string_view row) {
        const MappedRecord result = mapping.apply(row);
        EXPECT_EQ(result.outcome, Outcome::Quarantined) << row;
        EXPECT_EQ(result.record.source, "test");
        return result.reason;
    };
    EXPECT_EQ(reason(""), "row is not valid JSON at byte 0: The document is empty.");
    EXPECT_EQ(reason("not json"), "row is not valid JSON at byte 1: Invalid value.");
    EXPECT_EQ(reason(R"({"id": "R1")"),
              "row is not valid JSON at byte 11: Missing a comma or '}' after an object member.");
    EXPECT_EQ(reason(R"({"id": "R1"} {})"),
              "row is not valid JSON at byte 13: The document root must not be followed by "
              "other values.");
    EXPECT_EQ(reason(R"(["id", "R1"])"), "row is an array, not a JSON object");
    EXPECT_EQ(reason(R"("R1")"), "row is a string, not a JSON object");
    EXPECT_EQ(reason("42"), "row is a number, not a JSON object");
    EXPECT_EQ(reason("null"), "row is null, not a JSON object");
}

TEST(MappingRowTest, RawNulAndInvalidUtf8AreRefusedWithTheirPosition) {
    const Mapping mapping = addressMapping(R"("/a")");
    EXPECT_EQ(mapping.apply(std::string(R"({"id": "R1"})") + '\0' + "junk").reason,
              "row contains a NUL byte at byte 12, which JSON text cannot");
    EXPECT_EQ(mapping.apply("{\"id\": \"R1\", \"a\": \"\xE5\xBC\"}").reason,
              "row is not valid JSON at byte 19: Invalid encoding in string.");
    EXPECT_EQ(mapping.apply("{\"id\": \"R1\", \"a\": \"\xFF\"}").reason,
              "row is not valid JSON at byte 19: Invalid encoding in string.");
}

TEST(MappingRowTest, EscapedLoneSurrogatesAndNulAreFieldErrors) {
    const Mapping mapping = addressMapping(R"("/a")");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": "x\udc00"})").reason,
              R"(address (/a): "x\xED\xB0\x80" is not valid UTF-8)");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": "x\u0000y"})").reason, R"(address (/a): "x\x00y" contains U+0000)");
}

TEST(MappingRowTest, OversizedRowsAreRefusedUnparsed) {
    const std::string row = R"({"id": "R1", "a": ")" + std::string(1024 * 1024, 'a') + "\"}";
    EXPECT_EQ(addressMapping(R"("/a")").apply(row).reason,
              "row is " + std::to_string(row.size()) + " bytes, over the limit of 1048576");
}

TEST(MappingRowTest, DeepNestingDoesNotExhaustTheStack) {
    const std::string deep = R"({"id": "R1", "x": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
    EXPECT_EQ(addressMapping(R"("/a")").apply(deep).outcome, Outcome::Accepted);
    const std::string unbalanced = R"({"id": "R1", "x": )" + std::string(100000, '[') + "}";
    EXPECT_EQ(addressMapping(R"("/a")").apply(unbalanced).outcome, Outcome::Quarantined);
}

TEST(MappingRowTest, DuplicateMembersAreAmbiguous) {
    const MappedRecord result = addressMapping(R"("/a")").apply(R"({"id": "R1", "a": "x", "a": "y"})");
    EXPECT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.reason, "address (/a): the row has this member more than once");
}

TEST(MappingRowTest, ObjectsAndArraysAreNotText) {
    const Mapping mapping = addressMapping(R"("/a")");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": {"b": 1}})").reason,
              "address (/a): is an object, expected a text value");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": [1]})").reason, "address (/a): is an array, expected a text value");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": true})").record.address, "true");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "a": 12.50})").record.address, "12.50");
}

TEST(MappingRowTest, EveryHardFailureIsReportedAndTheSourceIdKept) {
    const Mapping mapping = mappingWith(R"("birth_date": {"from": "/b", "transforms": ["date"]},
        "sex": {"from": "/s", "transforms": ["sex"]})");
    const MappedRecord result = mapping.apply(R"({"id": "P9", "b": "2014-13-01", "s": "?"})");
    EXPECT_EQ(result.outcome, Outcome::Quarantined);
    EXPECT_EQ(result.record.source_id, "P9");
    EXPECT_EQ(
        result.reason,
        R"(birth_date (/b): date "2014-13-01" is not a real date: there is no month 13; sex (/s): sex "?" is not )"
        R"(recognised; expected a GB/T 2261.1 code (0, 1, 2, 9), 男/女, M/F or male/female)");
}

// Inputs -----------------------------------------------------------------------------------------------------------

TEST(MappingInputTest, PointersReachIntoObjectsAndArrays) {
    const Mapping mapping = mappingWith(R"("name": "/child/names/1", "address": {"from": "/a~1b/c~0d"})");
    const MappedRecord result =
        mapping.apply(R"({"id": "R1", "child": {"names": ["小明", "王小明"]}, "a/b": {"c~d": "路"}})");
    EXPECT_EQ(result.outcome, Outcome::Accepted) << result.reason;
    EXPECT_EQ(result.record.name, "王小明");
    EXPECT_EQ(result.record.address, "路");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "child": {"names": ["小明"]}})").record.name, "");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "child": "小明"})").record.name, "");
}

TEST(MappingInputTest, ColumnsMayHaveAnyName) {
    const Mapping mapping = mappingWith(R"("name": {"column": "新生儿/姓名"}, "address": {"column": "~"})");
    const MappedRecord result = mapping.apply(R"({"id": "R1", "新生儿/姓名": "𠮷祥", "~": "x"})");
    EXPECT_EQ(result.record.name, "𠮷祥");
    EXPECT_EQ(result.record.address, "x");
    const MappedRecord bad = mapping.apply(R"({"id": "R1", "新生儿/姓名": {}})");
    EXPECT_EQ(bad.reason, "name (/新生儿~1姓名): is an object, expected a text value");
}

TEST(MappingInputTest, FirstOfTakesTheFirstAlternativeWithAValue) {
    const Mapping mapping = mappingWith(R"("id_number": {"first_of": [
        {"from": "/sfzh"}, {"from": "/xjh", "transforms": [{"strip_prefix": {"prefix": "G", "otherwise": "empty"}}]}],
        "transforms": ["citizen_id"]})");
    EXPECT_EQ(
        mapping.apply(R"({"id": "R1", "sfzh": "320411201403051248", "xjh": "G11010519491231002X"})").record.id_number,
        "320411201403051248");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "sfzh": "", "xjh": "G11010519491231002X"})").record.id_number,
              "11010519491231002X");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "xjh": "L320411201403051234"})").record.id_number, "");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "xjh": "G320411201403051249"})").reason,
              R"(id_number (/xjh): citizen ID "320411201403051249" has check character 9, expected 8)");
}

TEST(MappingInputTest, ConstantsNeedNoInput) {
    const MappedRecord result = mappingWith(R"("facts.origin": {"const": "公安"})").apply(R"({"id": "R1"})");
    EXPECT_EQ(result.record.facts, R"({"origin":"公安"})");
}

// Guardians --------------------------------------------------------------------------------------------------------

TEST(MappingGuardianTest, BaseObjectsBecomeGuardiansAndNullOnesAreSkipped) {
    const Mapping mapping = mappingWith(R"("guardians": [
        {"base": "/fq", "fields": {"relation": {"const": "father"}, "name": "/xm",
                                   "status": {"from": "/zt", "transforms": [{"lookup": "guardian_status"}]}}},
        {"base": "/mq", "fields": {"relation": {"const": "mother"}, "name": "/xm"}}])");
    const MappedRecord both =
        mapping.apply(R"({"id": "R1", "fq": {"xm": "张伟", "zt": "服刑"}, "mq": {"xm": "李娜"}})");
    ASSERT_EQ(both.record.guardians.size(), 2u);
    EXPECT_EQ(both.record.guardians[0], (model::Guardian{"father", "张伟", "", "imprisoned", ""}));
    EXPECT_EQ(both.record.guardians[1], (model::Guardian{"mother", "李娜", "", "", ""}));

    const MappedRecord one = mapping.apply(R"({"id": "R1", "fq": null, "mq": {"xm": "李娜"}})");
    ASSERT_EQ(one.record.guardians.size(), 1u);
    EXPECT_EQ(one.record.guardians[0].relation, "mother");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "mq": {"xm": null}})").record.guardians.size(), 0u);

    const MappedRecord wrong = mapping.apply(R"({"id": "R1", "fq": "张伟"})");
    EXPECT_EQ(wrong.reason, "guardians[0] (/fq): expected an object, got a string");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "fq": {"xm": "张伟", "zt": "度假"}})").reason,
              R"(guardians[0].status (/fq/zt): "度假" is not a code in table 'guardian_status')");
}

TEST(MappingGuardianTest, EachElementOfAnArrayBecomesAGuardian) {
    const Mapping mapping = mappingWith(R"("guardians": [{"each": "/jhr", "on_error": "warn", "fields": {
        "relation": {"from": "/gx", "transforms": [{"lookup": "relation"}]}, "name": "/xm",
        "id_number": {"from": "/sfz", "transforms": ["citizen_id"], "on_error": "warn"}}}])");
    const MappedRecord result = mapping.apply(R"({"id": "R1", "jhr": [
        {"gx": "祖母", "xm": "王秀英"}, {"gx": "祖父"}, {"gx": "外婆", "xm": "陈芳", "sfz": "123"}]})");
    ASSERT_EQ(result.outcome, Outcome::AcceptedWithWarnings);
    ASSERT_EQ(result.record.guardians.size(), 2u);
    EXPECT_EQ(result.record.guardians[0], (model::Guardian{"grandmother", "王秀英", "", "", ""}));
    EXPECT_EQ(result.record.guardians[1], (model::Guardian{"maternal_grandmother", "陈芳", "", "", ""}));
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_EQ(
        result.warnings[0],
        R"(guardians[0][2].id_number (/jhr/2/sfz): citizen ID "123" has 3 characters, expected 18 (or 15 for the )"
        R"(old form); value dropped)");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "jhr": {}})").warnings,
              std::vector<std::string>{"guardians[0] (/jhr): expected an array, got an object; guardian dropped"});
}

TEST(MappingGuardianTest, ColumnsMakeAGuardianOnlyWhenTheyNameSomeone) {
    const Mapping mapping = mappingWith(R"("guardians": [{"fields": {"relation": {"const": "guardian"},
        "name": {"column": "jhrxm", "transforms": ["name"]}, "phone": {"column": "jhrdh"}}}])");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "jhrxm": null, "jhrdh": null})").record.guardians.size(), 0u);
    const MappedRecord phone_only = mapping.apply(R"({"id": "R1", "jhrdh": "13912345678"})");
    ASSERT_EQ(phone_only.record.guardians.size(), 1u);
    EXPECT_EQ(phone_only.record.guardians[0].phone, "13912345678");
}

// Facts ------------------------------------------------------------------------------------------------------------

TEST(MappingFactsTest, DottedTargetsNestAndEmptyObjectsAreLeftOut) {
    const Mapping mapping = mappingWith(R"("facts.enrolment.school_code": "/xxdm",
        "facts.enrolment.grade": {"from": "/nj", "transforms": [{"lookup": "grade"}, "number"]},
        "facts.household.household_no": "/hh", "facts.note": "/note")");
    EXPECT_EQ(
        mapping.apply(R"({"id": "R1", "xxdm": "3204110001", "nj": "三年级", "note": "say \"hi\"\n"})").record.facts,
        R"({"enrolment":{"school_code":"3204110001","grade":3},"note":"say \"hi\"\n"})");
    EXPECT_EQ(mapping.apply(R"({"id": "R1"})").record.facts, "{}");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "hh": "H1"})").record.facts, R"({"household":{"household_no":"H1"}})");
}

TEST(MappingFactsTest, ArraysAreMappedElementWise) {
    const Mapping mapping = mappingWith(R"("facts.assistance": {"each": "/assistance", "fields": {
        "type": {"from": "/type", "transforms": [{"lookup": "assistance_type"}]},
        "period.start": {"from": "/start", "transforms": ["date"]},
        "monthly_amount": {"from": "/monthly_amount", "transforms": ["number"]}}})");
    const MappedRecord result = mapping.apply(R"({"id": "R1", "assistance": [
        {"type": "低保", "start": "2023/1/1", "end": null, "monthly_amount": "620.00"},
        {},
        {"type": "临时救助", "monthly_amount": 300}]})");
    ASSERT_EQ(result.outcome, Outcome::Accepted) << result.reason;
    EXPECT_EQ(
        result.record.facts,
        R"({"assistance":[{"type":"subsistence_allowance","period":{"start":"2023-01-01"},"monthly_amount":620.00},)"
        R"({"type":"temporary_assistance","monthly_amount":300}]})");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "assistance": []})").record.facts, "{}");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "assistance": null})").record.facts, "{}");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "assistance": [{"type": "补贴"}]})").reason,
              R"(facts.assistance[0].type (/assistance/0/type): "补贴" is not a code in table 'assistance_type')");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "assistance": "低保"})").reason,
              "facts.assistance (/assistance): expected an array, got a string");
}

TEST(MappingFactsTest, ArrayElementsMayBeScalars) {
    const Mapping mapping =
        mappingWith(R"("facts.tags": {"each": "/tags", "fields": {"name": {"from": "", "transforms": ["trim"]}}})");
    EXPECT_EQ(mapping.apply(R"({"id": "R1", "tags": [" a ", "", "𠮷"]})").record.facts,
              R"({"tags":[{"name":"a"},{"name":"𠮷"}]})");
}

// Output -----------------------------------------------------------------------------------------------------------

TEST(MappingOutputTest, RecordsRoundTripThroughTheCanonicalJson) {
    const Mapping mapping = mappingWith(R"("name": {"from": "/xm", "transforms": ["name"]},
        "identifiers.student_no": "/xjh", "facts.health.disability": "/cj",
        "guardians": [{"fields": {"relation": {"const": "mother"}, "name": "/mq"}}])");
    const MappedRecord result =
        mapping.apply(R"({"id": "R1", "xm": "𠮷祥", "xjh": "G320411201403051248", "cj": "听力\t残疾", "mq": "𠮷娜"})");
    ASSERT_EQ(result.outcome, Outcome::Accepted) << result.reason;
    const std::string json = model::toJson(result.record);
    EXPECT_EQ(json,
              R"({"source":"test","source_id":"R1","name":"𠮷祥","identifiers":{"student_no":"G320411201403051248"},)"
              R"("guardians":[{"relation":"mother","name":"𠮷娜"}],"facts":{"health":{"disability":"听力\t残疾"}}})");
    const model::SourceRecordResult parsed = model::parseSourceRecord(json);
    ASSERT_TRUE(parsed) << parsed.error;
    EXPECT_EQ(*parsed.record, result.record);
}

TEST(MappingOutputTest, ApplyIntoReusesTheResult) {
    const Mapping mapping = addressMapping(R"({"from": "/a", "transforms": ["date"]})");
    MappedRecord out;
    mapping.applyInto(R"({"id": "R1", "a": "2014-02-30"})", out);
    EXPECT_EQ(out.outcome, Outcome::Quarantined);
    mapping.applyInto(R"({"id": "R2", "a": "2014-02-28"})", out);
    EXPECT_EQ(out.outcome, Outcome::Accepted);
    EXPECT_EQ(out.reason, "");
    EXPECT_EQ(out.record.source_id, "R2");
    EXPECT_EQ(out.record.address, "2014-02-28");
}

TEST(MappingOutputTest, OutcomeNames) {
    EXPECT_EQ(outcomeName(Outcome::Accepted), "accepted");
    EXPECT_EQ(outcomeName(Outcome::AcceptedWithWarnings), "accepted_with_warnings");
    EXPECT_EQ(outcomeName(Outcome::Quarantined), "quarantined");
}

TEST(MappingOutputTest, ApplyIsSafeFromManyThreads) {
    const Mapping mapping = Mapping::load(testing::mappingsDir() + "/police_population.json", testing::testContext());
    const std::string row =
        R"({"person_id":"P1","xm":"张子涵","xb":"2","csrq":"20140305","gmsfhm":"320411201403051248","mz":"汉族",)"
        R"("fq":{"xm":"张伟","gmsfhm":"110105491231002","zt":"外出务工"},"updated_at":"2026-11-01T08:00:00Z"})";
    const std::string expected = model::toJson(mapping.apply(row).record);
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                if (model::toJson(mapping.apply(row).record) != expected) {
                    ++mismatches[static_cast<std::size_t>(t)];
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// Loading ----------------------------------------------------------------------------------------------------------

TEST(MappingLoadTest, LoadReadsAFileAndFindsCodesBesideIt) {
    gateway::testing::TempDir dir;
    std::filesystem::create_directories(dir.file("codes"));
    gateway::testing::writeFile(dir.file("codes/colour.json"), R"({"values": {"红": "red"}})");
    gateway::testing::writeFile(dir.file("m.json"), R"({"source": "s", "version": 2, "description": "d",
        "fields": {"source_id": "/id", "facts.colour": {"from": "/c", "transforms": [{"lookup": "colour"}]}}})");
    MappingContext context = testing::testContext();
    context.codes_dir.clear();
    const Mapping mapping = Mapping::load(dir.file("m.json"), context);
    EXPECT_EQ(mapping.source(), "s");
    EXPECT_EQ(mapping.version(), "2");
    EXPECT_EQ(mapping.description(), "d");
    EXPECT_EQ(mapping.apply(R"({"id": "1", "c": "红"})").record.facts, R"({"colour":"red"})");
}

TEST(MappingLoadTest, TheFourShippedMappingsLoad) {
    for (const char* source : {"police_population", "school_register", "health_births", "civil_rescue"}) {
        const Mapping mapping = Mapping::load(testing::mappingsDir() + "/" + source + ".json", testing::testContext());
        EXPECT_EQ(mapping.source(), source);
    }
}

TEST(MappingLoadTest, AMissingFileIsAConfigurationError) {
    try {
        Mapping::load("/nonexistent/m.json", testing::testContext());
        FAIL() << "expected an error";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_EQ(error.message(), "/nonexistent/m.json: cannot read the mapping file: No such file or directory");
    }
}

}  // namespace
}  // namespace gateway::mapping
