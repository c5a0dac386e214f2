#include "gateway/profile/profile_builder.h"

#include "gateway/model/citizen_id.h"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <gtest/gtest.h>

#include <algorithm>

namespace gateway::profile {
namespace {

intake::StagedRecord staged(const std::string& source, const std::string& id, const std::string& json,
                            const std::string& observed_at = "2026-10-01T00:00:00Z", std::int64_t batch = 1) {
    intake::StagedRecord record;
    record.source = source;
    record.source_id = id;
    record.observed_at = observed_at;
    record.record_json = json;
    record.batch_id = batch;
    return record;
}

class ProfileBuilderTest : public ::testing::Test {
protected:
    ProfileBuilderTest() : config_(ProfileConfig::builtin(model::CalendarDate(2026, 11, 1))), builder_(config_) {}

    rapidjson::Document build(const std::vector<intake::StagedRecord>& records) {
        version_ = builder_.build("P1", records);
        rapidjson::Document json;
        json.Parse(version_.profile_json.c_str());
        EXPECT_FALSE(json.HasParseError());
        return json;
    }

    static std::string at(const rapidjson::Document& json, const char* pointer) {
        const rapidjson::Value* value = rapidjson::Pointer(pointer).Get(json);
        return value != nullptr && value->IsString() ? value->GetString() : "";
    }

    bool has(const std::vector<std::string>& codes, const std::string& code) {
        return std::find(codes.begin(), codes.end(), code) != codes.end();
    }

    ProfileConfig config_;
    ProfileBuilder builder_;
    profile::ProfileVersion version_;
};

const char* kPolice = R"({"source":"police_population","source_id":"P1","name":"张子涵","sex":"2",
    "birth_date":"2014-03-05","id_number":"320411201403051248","hukou_division":"320411101201",
    "residence_division":"320411101201",
    "guardians":[{"relation":"father","name":"张伟","status":"migrant_worker"},
                 {"relation":"mother","name":"李娜","status":"migrant_worker"}]})";

TEST_F(ProfileBuilderTest, SurvivorsCarryTheirProvenanceAndDisagreementsAreListed) {
    const auto json = build({staged("police_population", "P1", kPolice),
                             staged("school_register", "7", R"({"source":"school_register","source_id":"7",
                                 "name":"张紫涵","sex":"2","birth_date":"2014-05-03","residence_division":"320411101202",
                                 "facts":{"enrolment":{"school_name":"一小","grade":6,"status":"enrolled"}}})")});
    EXPECT_EQ(at(json, "/identity/name/value"), "张子涵");
    EXPECT_EQ(at(json, "/identity/name/source"), "police_population");
    EXPECT_EQ(at(json, "/identity/name/source_id"), "P1");
    EXPECT_EQ(at(json, "/identity/birth_date/value"), "2014-03-05");
    // School before police for the address a child lives at, as survivorship.json says.
    EXPECT_EQ(at(json, "/registration/residence_division/value"), "320411101202");
    EXPECT_EQ(at(json, "/education/status/value"), "enrolled");
    bool birth_conflict = false;
    for (const auto& conflict : json["conflicts"].GetArray()) {
        if (std::string(conflict["field"].GetString()) == "/identity/birth_date") {
            birth_conflict = conflict["values"].Size() == 2;
        }
    }
    EXPECT_TRUE(birth_conflict) << version_.profile_json;
    EXPECT_EQ(json["age"].GetInt(), 12);
    EXPECT_EQ(version_.id_number, "320411201403051248");
}

TEST_F(ProfileBuilderTest, APlaceholderNeverOutvotesTheRegisteredNameAndABadIdNeverAValidOne) {
    const std::string body = "32041120260102002";
    const char check = *model::CitizenId::checkCharacter(body);
    const std::string valid = body + check;
    const std::string mistyped = body + (check == '0' ? '1' : '0');
    // The police record comes first by source priority, but holds a placeholder and a mistyped number.
    const auto json = build({staged("police_population", "P1",
                                    R"({"source":"police_population","source_id":"P1","name":"张某之女","sex":"2",
                                        "birth_date":"2026-01-02","id_number":")" +
                                        mistyped + R"("})",
                                    "2026-10-30T00:00:00Z"),
                             staged("civil_rescue", "C1",
                                    R"({"source":"civil_rescue","source_id":"C1","name":"张小满","sex":"2",
                                        "birth_date":"2026-01-02","id_number":")" +
                                        valid + R"("})",
                                    "2026-01-05T00:00:00Z")});
    EXPECT_EQ(at(json, "/identity/name/value"), "张小满");
    EXPECT_EQ(at(json, "/identity/id_number/value"), valid);
    EXPECT_FALSE(json["identity"]["id_number"].HasMember("valid")) << version_.profile_json;
    EXPECT_EQ(version_.id_number, valid);
    // With only the mistyped number on offer it is kept, marked invalid, and not indexed for lookups.
    build({staged("police_population", "P1",
                  R"({"source":"police_population","source_id":"P1","id_number":")" + mistyped + R"("})")});
    EXPECT_EQ(version_.id_number, "");
}

TEST_F(ProfileBuilderTest, LeftBehindNeedsAgeUnder16OnTheAsOfDate) {
    build({staged("police_population", "P1", kPolice)});
    EXPECT_TRUE(has(version_.classifications, "left_behind")) << version_.profile_json;
    // Turning 16 on the as-of date ends it that day.
    const ProfileConfig later = ProfileConfig::builtin(model::CalendarDate(2030, 3, 5));
    const profile::ProfileVersion sixteen =
        ProfileBuilder(later).build("P1", {staged("police_population", "P1", kPolice)});
    EXPECT_FALSE(has(sixteen.classifications, "left_behind"));
    const ProfileConfig day_before = ProfileConfig::builtin(model::CalendarDate(2030, 3, 4));
    EXPECT_TRUE(
        has(ProfileBuilder(day_before).build("P1", {staged("police_population", "P1", kPolice)}).classifications,
            "left_behind"));
}

TEST_F(ProfileBuilderTest, UnsupervisedAlertNeedsEveryGuardianRecordedAsNotPresentAndIsRouted) {
    // Both parents away and no other guardian on record: nobody says the child is alone.
    build({staged("police_population", "P1", kPolice)});
    EXPECT_FALSE(has(version_.alerts, "unsupervised_under_16"));
    // The grandmother caring for the child has died: now the records say so.
    const auto json = build({staged("police_population", "P1", kPolice),
                             staged("civil_rescue", "C1", R"({"source":"civil_rescue","source_id":"C1",
                                 "guardians":[{"relation":"grandmother","name":"王秀英","status":"deceased"}]})")});
    EXPECT_TRUE(has(version_.alerts, "unsupervised_under_16")) << version_.profile_json;
    const auto& alert = json["alerts"][0];
    EXPECT_EQ(std::string(alert["route"]["village"].GetString()), "320411101201");
    EXPECT_EQ(std::string(alert["route"]["township"].GetString()), "320411101000");
    EXPECT_GT(alert["reasons"].Size(), 0u);
}

TEST_F(ProfileBuilderTest, ClassificationsCarryReasonsAndProvenance) {
    const auto json = build({staged("police_population", "P1", kPolice)});
    ASSERT_TRUE(json["classifications"].IsArray());
    const auto& match = json["classifications"][0];
    EXPECT_EQ(std::string(match["code"].GetString()), "left_behind");
    bool father = false;
    for (const auto& source : match["provenance"].GetArray()) {
        father = father || std::string(source["field"].GetString()) == "/guardians/father/status";
    }
    EXPECT_TRUE(father) << version_.profile_json;
}

TEST_F(ProfileBuilderTest, OnTheDayAChildComesOfAgeTheProfileIsRemovedAndHoldsNothingPersonal) {
    // Born 2014-03-05: a minor on 2032-03-04, of age on 2032-03-05.
    const ProfileConfig day_before = ProfileConfig::builtin(model::CalendarDate(2032, 3, 4));
    const auto minor = ProfileBuilder(day_before).build("P1", {staged("police_population", "P1", kPolice)});
    EXPECT_FALSE(minor.removed);
    EXPECT_FALSE(ProfileBuilder::isAdult(minor));
    EXPECT_EQ(minor.name, "张子涵");

    const ProfileConfig birthday = ProfileConfig::builtin(model::CalendarDate(2032, 3, 5));
    const auto adult = ProfileBuilder(birthday).build("P1", {staged("police_population", "P1", kPolice)});
    EXPECT_TRUE(adult.removed);
    EXPECT_TRUE(ProfileBuilder::isAdult(adult));
    EXPECT_EQ(adult.person_id, "P1");
    for (const char* personal : {"张子涵", "320411201403051248", "2014-03-05", "320411101201", "张伟"}) {
        EXPECT_EQ(adult.profile_json.find(personal), std::string::npos) << personal << " in " << adult.profile_json;
    }
    EXPECT_TRUE(adult.name.empty() && adult.id_number.empty() && adult.birth_date.empty());
    EXPECT_TRUE(adult.classifications.empty() && adult.alerts.empty());
    EXPECT_EQ(ProfileBuilder(birthday).build("P1", {staged("police_population", "P1", kPolice)}).content_hash,
              adult.content_hash)
        << "rebuilding an adult writes no new version";
    EXPECT_EQ(adult.removed_reason, "adult");
    EXPECT_EQ(adult.removed_on, "2032-03-05");
    EXPECT_FALSE(ProfileBuilder::isAdult(builder_.removed("P1"))) << "a merged person is not an adult";
    EXPECT_EQ(builder_.removed("P1").removed_reason, "gone");
}

TEST_F(ProfileBuilderTest, SameRecordsSameHashAndARemovedPersonHasItsOwnVersion) {
    build({staged("police_population", "P1", kPolice)});
    const std::string hash = version_.content_hash;
    build({staged("police_population", "P1", kPolice)});
    EXPECT_EQ(version_.content_hash, hash);
    const profile::ProfileVersion gone = builder_.removed("P1");
    EXPECT_TRUE(gone.removed);
    EXPECT_NE(gone.content_hash, hash);
}

TEST_F(ProfileBuilderTest, BrokenRecordJsonYieldsAnEmptyButValidProfile) {
    const auto json = build({staged("police_population", "P1", "{not json")});
    EXPECT_TRUE(json.IsObject());
    EXPECT_EQ(json["classifications"].Size(), 0u);
}

}  // namespace
}  // namespace gateway::profile
