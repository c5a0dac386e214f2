// Across departments: each built-in rule fires on the child it describes and not on its neighbours at the boundary
// (a day short of an age or of 30 days, an allowance ended the day before, a value only one department gives), and a
// record that is not JSON never stops the others from being judged.

#include "gateway/reconcile/gap_finder.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>
#include <vector>

namespace gateway::reconcile {
namespace {

const model::CalendarDate kAsOf(2026, 11, 1);

intake::StagedRecord record(const std::string& source, const std::string& id, const std::string& json,
                            const std::string& observed_at = "2026-10-20T08:00:00Z") {
    intake::StagedRecord staged;
    staged.source = source;
    staged.source_id = id;
    staged.observed_at = observed_at;
    staged.record_json = json;
    return staged;
}

std::string parents(const std::string& father_id = "320411198706260819",
                    const std::string& mother_id = "320411199010300362", const std::string& status = "present") {
    return R"("guardians":[{"relation":"father","name":"杨诺禾","id_number":")" + father_id + R"(","status":")" +
           status + R"("},{"relation":"mother","name":"徐敏","id_number":")" + mother_id + R"(","status":")" + status +
           R"("}])";
}

intake::StagedRecord police(const std::string& birth, const std::string& extra = parents(),
                            const std::string& observed_at = "2026-10-20T08:00:00Z") {
    return record("police_population", "P1",
                  R"({"source":"police_population","source_id":"P1","name":"杨立诚","sex":"1","birth_date":")" + birth +
                      R"(","residence_division":"320411104002",)" + extra + "}",
                  observed_at);
}

intake::StagedRecord school(const std::string& birth, const std::string& status, const std::string& id = "S1") {
    return record(
        "school_register", id,
        R"({"source":"school_register","source_id":")" + id + R"(","name":"杨立诚","sex":"1","birth_date":")" + birth +
            R"(","facts":{"enrolment":{"school_code":"3132110026","grade":4,"status":")" + status + R"("}}})");
}

intake::StagedRecord health(const std::string& birth) {
    return record("health_births", "A1",
                  R"({"source":"health_births","source_id":"A1","name":"王健知","sex":"2","birth_date":")" + birth +
                      R"(","residence_division":"320411004004","facts":{"health":{"birth_weight_g":3270}}})");
}

intake::StagedRecord civil(const std::string& assistance, const std::string& observed_at = "2026-10-20T08:00:00Z") {
    return record("civil_rescue", "C1",
                  R"({"source":"civil_rescue","source_id":"C1","name":"杨立诚","sex":"1","birth_date":"2016-03-05",)"
                  R"("residence_division":"320411104002","facts":{"assistance":[)" +
                      assistance + "]}}",
                  observed_at);
}

class GapFinderTest : public ::testing::Test {
protected:
    std::vector<std::string> codes(const std::vector<intake::StagedRecord>& records) const {
        std::vector<std::string> result;
        for (const Finding& finding : finder_.find("P-1", records)) {
            result.push_back(finding.kind);
        }
        return result;
    }

    bool fires(const std::string& code, const std::vector<intake::StagedRecord>& records) const {
        const auto found = codes(records);
        return std::find(found.begin(), found.end(), code) != found.end();
    }

    profile::ProfileConfig profiles_ = profile::ProfileConfig::builtin(kAsOf);
    GapRules rules_ = GapRules::builtin();
    GapFinder finder_{profiles_, rules_, kAsOf};
};

TEST_F(GapFinderTest, BuiltInRulesAreTheSixWithTheirDepartments) {
    EXPECT_EQ(rules_.codes(),
              (std::vector<std::string>{"school_age_not_enrolled", "enrolled_not_in_population_register",
                                        "newborn_unregistered", "assistance_no_longer_met", "stale_classification",
                                        "identity_contradiction"}));
    EXPECT_EQ(rules_.departments("newborn_unregistered"),
              (std::vector<std::string>{"health_births", "police_population"}));
    EXPECT_TRUE(rules_.departments("identity_contradiction").empty());
}

TEST_F(GapFinderTest, SchoolAgeChildInTheRegisterWithoutACurrentSchoolFromTheSixthBirthdayToTheSixteenth) {
    EXPECT_FALSE(fires("school_age_not_enrolled", {police("2020-11-02")})) << "a day short of 6";
    EXPECT_TRUE(fires("school_age_not_enrolled", {police("2020-11-01")})) << "6 today";
    EXPECT_TRUE(fires("school_age_not_enrolled", {police("2010-11-02")})) << "a day short of 16";
    EXPECT_FALSE(fires("school_age_not_enrolled", {police("2010-11-01")})) << "16 today";
    EXPECT_FALSE(fires("school_age_not_enrolled", {police("2016-03-05"), school("2016-03-05", "enrolled")}));
    EXPECT_TRUE(fires("school_age_not_enrolled", {police("2016-03-05"), school("2016-03-05", "dropped_out")}));
    EXPECT_TRUE(fires("school_age_not_enrolled", {police("2016-03-05"), school("2016-03-05", "transferred_out")}))
        << "a school the child left is no school";
    EXPECT_FALSE(fires("school_age_not_enrolled", {school("2016-03-05", "dropped_out")}))
        << "unknown to the register: another rule's business";

    const auto findings = finder_.find("P-1", {police("2016-03-05")});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].person_id, "P-1");
    EXPECT_EQ(findings[0].division, "320411104002");
    EXPECT_TRUE(findings[0].source.empty());
    rapidjson::Document detail;
    detail.Parse(findings[0].detail_json.c_str());
    ASSERT_TRUE(detail.IsObject()) << findings[0].detail_json;
    EXPECT_STREQ(detail["rule"].GetString(), "school_age_not_enrolled");
    EXPECT_STREQ(detail["departments"][1].GetString(), "school_register");
    EXPECT_STREQ(detail["records"][0].GetString(), "police_population/P1");
    EXPECT_STREQ(detail["route"]["township"].GetString(), "320411104000");
    EXPECT_STREQ(detail["route"]["village"].GetString(), "320411104002");
    EXPECT_GT(detail["reasons"].Size(), 0u);
}

TEST_F(GapFinderTest, EnrolledChildUnknownToThePopulationRegister) {
    EXPECT_TRUE(fires("enrolled_not_in_population_register", {school("2016-03-05", "enrolled")}));
    EXPECT_TRUE(fires("enrolled_not_in_population_register", {school("2016-03-05", "suspended")}));
    EXPECT_FALSE(fires("enrolled_not_in_population_register", {school("2016-03-05", "transferred_out")}));
    EXPECT_FALSE(
        fires("enrolled_not_in_population_register", {police("2016-03-05"), school("2016-03-05", "enrolled")}));
}

TEST_F(GapFinderTest, NewbornWithoutHouseholdRegistrationFromItsThirtiethDay) {
    EXPECT_FALSE(fires("newborn_unregistered", {health("2026-10-03")})) << "29 days";
    EXPECT_TRUE(fires("newborn_unregistered", {health("2026-10-02")})) << "30 days";
    EXPECT_FALSE(fires("newborn_unregistered", {health("2026-10-02"), police("2026-10-02")}));
    EXPECT_FALSE(fires("newborn_unregistered", {health("2026-11-05")})) << "born after the as-of date";
}

TEST_F(GapFinderTest, AnAllowanceWhoseGroundsAreGoneUntilItEnds) {
    const std::string orphan = R"({"type":"orphan_allowance","start":"2024-01-01")";
    EXPECT_TRUE(fires("assistance_no_longer_met", {police("2016-03-05"), civil(orphan + "}")}))
        << "both parents at home: no orphan";
    EXPECT_TRUE(fires("assistance_no_longer_met", {police("2016-03-05"), civil(orphan + R"(,"end":"2026-11-02"})")}))
        << "still paid on the as-of date";
    EXPECT_FALSE(fires("assistance_no_longer_met", {police("2016-03-05"), civil(orphan + R"(,"end":"2026-11-01"})")}))
        << "ended on the as-of date";
    EXPECT_FALSE(fires("assistance_no_longer_met",
                       {police("2016-03-05"), civil(R"({"type":"subsistence_allowance","start":"2024-01-01"})")}))
        << "an allowance whose grounds the profile cannot judge";
    const auto orphan_case =
        record("civil_rescue", "C1",
               R"({"source":"civil_rescue","source_id":"C1","birth_date":"2016-03-05","guardians":[)"
               R"({"relation":"father","status":"deceased"},{"relation":"mother","status":"missing"}],)"
               R"("facts":{"case":{"type":"orphan","category":"orphan","opened":"2024-01-01"},)"
               R"("assistance":[{"type":"orphan_allowance","start":"2024-01-01"}]}})");
    EXPECT_TRUE(fires("assistance_no_longer_met", {police("2016-03-05"), orphan_case}))
        << "the paying department's own case is no proof: the register shows the parents";
    EXPECT_FALSE(
        fires("assistance_no_longer_met",
              {police("2016-03-05", parents("320411198706260819", "320411199010300362", "deceased")), orphan_case}));
    EXPECT_FALSE(fires("assistance_no_longer_met", {orphan_case})) << "nothing to judge it on";
    const std::string unsupported = R"({"type":"de_facto_unsupported_allowance","start":"2024-01-01"})";
    EXPECT_TRUE(fires("assistance_no_longer_met", {police("2016-03-05"), civil(unsupported)}));
    EXPECT_FALSE(fires(
        "assistance_no_longer_met",
        {police("2016-03-05", parents("320411198706260819", "320411199010300362", "imprisoned")), civil(unsupported)}));
    EXPECT_TRUE(fires("assistance_no_longer_met", {police("2008-10-31"), civil(orphan + "}")}))
        << "18: an adult's profile holds nothing, the records still give the age";
}

TEST_F(GapFinderTest, AChildInDifficultyNobodyHasConfirmedForMoreThan180Days) {
    const std::string poverty = R"({"type":"subsistence_allowance","start":"2024-01-01"})";
    // 2026-05-05 is 180 days before 2026-11-01.
    EXPECT_FALSE(fires("stale_classification", {police("2016-03-05", parents(), "2026-05-05T23:00:00Z"),
                                                civil(poverty, "2026-05-05T01:00:00Z")}));
    EXPECT_TRUE(fires("stale_classification", {police("2016-03-05", parents(), "2026-05-04T23:00:00Z"),
                                               civil(poverty, "2026-05-04T01:00:00Z")}));
    EXPECT_FALSE(fires("stale_classification", {police("2016-03-05", parents(), "2026-05-04T23:00:00Z"),
                                                civil(poverty, "2026-10-01T01:00:00Z")}))
        << "one department confirmed lately";
    EXPECT_FALSE(fires("stale_classification", {police("2016-03-05", parents(), "2025-01-01T00:00:00Z")}))
        << "not classified";
}

TEST_F(GapFinderTest, DepartmentsThatGiveDifferentIdentitiesButNotOneDepartmentTwiceNorAnInvalidValue) {
    EXPECT_TRUE(fires("identity_contradiction", {police("2016-03-05"), school("2016-05-03", "enrolled")}));
    EXPECT_FALSE(fires("identity_contradiction", {police("2016-03-05"), school("2016-03-05", "enrolled")}));
    EXPECT_FALSE(fires("identity_contradiction",
                       {school("2016-03-05", "enrolled", "S1"), school("2016-05-03", "transferred_out", "S2")}))
        << "one department disagreeing with itself";
    EXPECT_FALSE(fires("identity_contradiction", {police("2016-03-05"), school("2016-02-30", "enrolled")}))
        << "no such date";
    EXPECT_FALSE(
        fires("identity_contradiction", {police("2016-03-05"), police("2016-03-05", parents("320411198706260827"))}))
        << "two fathers, both from the police: one department";
    auto school_father = school("2016-03-05", "enrolled");
    school_father.record_json = R"({"source":"school_register","source_id":"S1","birth_date":"2016-03-05",)" +
                                parents("320411198706260827") + "}";
    EXPECT_TRUE(fires("identity_contradiction", {police("2016-03-05"), school_father}))
        << "another valid father ID from the school";
    school_father.record_json = R"({"source":"school_register","source_id":"S1","birth_date":"2016-03-05",)" +
                                parents("320411198706260810") + "}";
    EXPECT_FALSE(fires("identity_contradiction", {police("2016-03-05"), school_father}))
        << "an ID failing its check digit contradicts nothing";

    const auto document = finder_.document("P-1", {police("2016-03-05"), school("2016-05-03", "enrolled")});
    ASSERT_TRUE(document["contradictions"].IsArray());
    ASSERT_EQ(document["contradictions"].Size(), 1u);
    EXPECT_STREQ(document["contradictions"][0]["field"].GetString(), "/birth_date");
}

TEST_F(GapFinderTest, ARecordThatIsNotJsonIsSkippedAndNothingIsNoFinding) {
    EXPECT_TRUE(codes({}).empty());
    EXPECT_TRUE(fires("school_age_not_enrolled", {record("school_register", "S9", "{not json"), police("2016-03-05"),
                                                  record("civil_rescue", "C9", "[1,2]")}));
    EXPECT_NO_THROW(finder_.find("P-1", {record("police_population", "P9", std::string(100000, '['))}));
}

TEST(GapRulesTest, ARuleWhoseDepartmentsAreNotNamesIsRefused) {
    EXPECT_THROW(GapRules::parse(R"({"rules":[{"code":"x","label":"x","departments":"police","when":)"
                                 R"({"path":"/age","ge":1}}]})",
                                 "rules.json"),
                 GatewayError);
    EXPECT_THROW(GapRules::parse(R"({"rules":[{"code":"x","label":"x","departments":[""],"when":)"
                                 R"({"path":"/age","ge":1}}]})",
                                 "rules.json"),
                 GatewayError);
    EXPECT_THROW(GapRules::parse(R"({"rules":[{"code":"x","label":"x","when":{"path":"/age","gte":1}}]})", "r.json"),
                 GatewayError)
        << "the rule language's own checks";
    const GapRules one = GapRules::parse(
        R"({"rules":[{"code":"x","label":"x","departments":["a","b"],"when":{"path":"/age","ge":1}}]})", "r.json");
    EXPECT_EQ(one.departments("x"), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace gateway::reconcile
