// Profile assembly is configuration: a new source's facts reach the profile, and rank where survivorship puts them,
// through assembly.json alone; a mistaken assembly or a source survivorship does not rank is refused when loaded,
// naming where.

#include "gateway/profile/profile_builder.h"

#include "gateway/common/error.h"
#include "gateway/profile/config_files.h"
#include "tests/support/temp_dir.h"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace gateway::profile {
namespace {

intake::StagedRecord staged(const std::string& source, const std::string& id, const std::string& json,
                            std::int64_t batch = 1) {
    intake::StagedRecord record;
    record.source = source;
    record.source_id = id;
    record.observed_at = "2026-10-01T00:00:00Z";
    record.record_json = json;
    record.batch_id = batch;
    return record;
}

std::string at(const rapidjson::Document& json, const char* pointer) {
    const rapidjson::Value* value = rapidjson::Pointer(pointer).Get(json);
    if (value == nullptr) {
        return "(none)";
    }
    if (value->IsString()) {
        return value->GetString();
    }
    if (value->IsInt64()) {
        return std::to_string(value->GetInt64());
    }
    return value->IsArray() ? "[" + std::to_string(value->Size()) + "]" : "(other)";
}

/// The message of the InvalidConfig that parsing `json` throws; fails the test if it does not.
std::string refusal(const std::string& json) {
    try {
        Assembly::parse(json, "assembly.json");
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig) << error.message();
        return error.message();
    }
    ADD_FAILURE() << "accepted: " << json;
    return {};
}

const char* kPolice = R"({"source":"police_population","source_id":"P1","name":"张子涵","sex":"2",
    "birth_date":"2014-03-05","id_number":"320411201403051248","residence_division":"320411101201"})";

// A disability federation register the gateway was never written for: its facts as its mapping stages them.
const char* kDisability = R"({"source":"disability_register","source_id":"D1","name":"张子涵",
    "id_number":"320411201403051248","facts":{"disability":{"category":"视力残疾","grade":"一级",
    "issued":"2025-06-01"},"services":[{"kind":"rehabilitation","since":"2026-09-01","provider":"区残联康复中心"},
    "not an object"]}})";

ProfileConfig withDisability(const std::string& assembly_json) {
    ProfileConfig config = ProfileConfig::builtin(model::CalendarDate(2026, 11, 1));
    config.assembly = Assembly::parse(assembly_json, "assembly.json");
    config.survivorship.default_order.push_back("disability_register");
    return config;
}

TEST(AssemblyTest, TheBuiltInAssemblyLoadsWithEveryFamily) {
    const Assembly assembly = Assembly::parse(builtinConfigFile("assembly.json"), "built-in assembly.json");
    EXPECT_EQ(assembly.register_source, "police_population");
    EXPECT_EQ(assembly.fields.size(), 10U);
    ASSERT_EQ(assembly.families.size(), 6U);
    EXPECT_EQ(assembly.families[0].kind, FamilyKind::Keyed);
    EXPECT_EQ(assembly.families[2].kind, FamilyKind::Latest);
    EXPECT_EQ(assembly.families[5].days_name, "days_open");
}

TEST(AssemblyTest, ANewSourcesFactsReachTheProfileThroughConfigurationAlone) {
    const ProfileConfig config = withDisability(R"({"fields": [
        {"into": "/identity/name", "from": ["/name"], "check": "name"},
        {"into": "/identity/id_number", "from": ["/id_number"], "check": "citizen_id"}],
      "families": [
        {"name": "disability", "kind": "survivor", "from": "/facts/disability", "into": "/disability"},
        {"name": "services", "kind": "history", "from": "/facts/services", "into": "/services",
         "days_since": {"days_in_service": "since"}}]})");
    const ProfileBuilder builder(config);
    const ProfileVersion version = builder.build(
        "P1", {staged("police_population", "P1", kPolice), staged("disability_register", "D1", kDisability)});
    rapidjson::Document json;
    json.Parse(version.profile_json.c_str());
    ASSERT_FALSE(json.HasParseError());
    EXPECT_EQ(at(json, "/disability/grade/value"), "一级");
    EXPECT_EQ(at(json, "/disability/grade/source"), "disability_register");
    EXPECT_EQ(at(json, "/disability/category/value"), "视力残疾");
    // A history keeps the objects (the string is left out), with where each came from, and the days since.
    EXPECT_EQ(at(json, "/services"), "[1]");
    EXPECT_EQ(at(json, "/services/0/provider"), "区残联康复中心");
    EXPECT_EQ(at(json, "/services/0/days_in_service"), "61");
    EXPECT_EQ(at(json, "/services/0/source_id"), "D1");
    // The police rank first by default, the new source after them.
    EXPECT_EQ(at(json, "/identity/name/source"), "police_population");
    // An assembly that does not name a family takes nothing of it.
    EXPECT_EQ(at(json, "/education"), "(none)");
    EXPECT_EQ(at(json, "/identity/sex"), "(none)");
}

TEST(AssemblyTest, KeyedLatestAndKeptHistoriesFollowTheirConfiguration) {
    const ProfileConfig config = withDisability(R"({
      "register": {"source": "disability_register", "into": "/registration/certified"},
      "families": [
        {"name": "carers", "kind": "keyed", "from": "/carers", "key": "role", "keys": ["primary"], "into": "/carers",
         "members": {"name": {}, "id_number": {"check": "citizen_id"}}},
        {"name": "other_carers", "kind": "history", "from": "/carers", "into": "/carers/others",
         "where": {"member": "role", "not_in": ["primary"]}, "keep": ["role", "name"]},
        {"name": "certificate", "kind": "latest", "from": "/facts/certificate", "into": "/certificate",
         "stale": {"member": "status", "is": "revoked"}}]})");
    const ProfileBuilder builder(config);
    const ProfileVersion version = builder.build(
        "P1", {staged("disability_register", "D1", R"({"carers":[{"role":"primary","name":"王芳",
                   "id_number":"32041119800101567x"},{"role":"neighbour","name":"赵敏","phone":"13900000000"}],
                   "facts":{"certificate":{"no":"C-2","status":"valid"}}})",
                      1),
               staged("disability_register", "D2", R"({"facts":{"certificate":{"no":"C-3","status":"revoked"}}})", 5)});
    rapidjson::Document json;
    json.Parse(version.profile_json.c_str());
    ASSERT_FALSE(json.HasParseError());
    EXPECT_EQ(at(json, "/carers/primary/name/value"), "王芳");
    // A citizen_id check brings a valid number to its normal form; one with a bad check digit would stay invalid.
    EXPECT_EQ(at(json, "/carers/primary/id_number/value").size(), 18U);
    EXPECT_EQ(at(json, "/carers/others"), "[1]");
    EXPECT_EQ(at(json, "/carers/others/0/name"), "赵敏");
    EXPECT_EQ(at(json, "/carers/others/0/phone"), "(none)") << "only the kept members";
    // The later record's certificate is revoked: the earlier, current one describes the child.
    EXPECT_EQ(at(json, "/certificate/no/value"), "C-2");
    const rapidjson::Value* certified = rapidjson::Pointer("/registration/certified/value").Get(json);
    ASSERT_NE(certified, nullptr);
    EXPECT_TRUE(certified->IsBool() && certified->GetBool());
}

TEST(AssemblyTest, MistakesAreRefusedNamingWhere) {
    EXPECT_NE(refusal(R"({"fields": [{"into": "/a", "from": ["/a"]}], "extra": 1})")
                  .find("assembly.json:1: unknown key 'extra'"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "/a", "from": ["/a"], "check": "phone"}]})").find("/fields/0/check"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "a", "from": ["/a"]}]})").find("not a JSON pointer"), std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "/a", "from": []}]})").find("/fields/0/from"), std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "/a", "from": ["a"]}]})").find("/fields/0/from/0"), std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "/a", "from": ["/a"]}, {"into": "/a", "from": ["/b"]}]})")
                  .find("written twice"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"fields": [{"into": "/classifications", "from": ["/a"]}]})").find("profile builder itself"),
              std::string::npos);
    EXPECT_NE(
        refusal(R"({"families": [{"name": "x", "kind": "tree", "from": "/x", "into": "/x"}]})").find("unknown kind"),
        std::string::npos);
    EXPECT_NE(refusal(R"({"families": [{"name": "x", "kind": "survivor", "from": "/x", "into": "/x",
                          "keep": ["a"]}]})")
                  .find("not for a survivor family"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"families": [{"name": "x", "kind": "keyed", "from": "/x", "into": "/x", "key": "k",
                          "keys": ["a"]}]})")
                  .find("/families/0/members"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"families": [{"name": "x", "kind": "history", "from": "/x", "into": "/x"},
                                       {"name": "x", "kind": "history", "from": "/y", "into": "/y"}]})")
                  .find("names two families"),
              std::string::npos);
    EXPECT_NE(refusal("[]").find("expected an object"), std::string::npos);
}

TEST(AssemblyTest, MistakesNameTheirLineAndSuggestTheKnownKey) {
    EXPECT_EQ(refusal("{\"fields\": [],\n \"familes\": []}"),
              "assembly.json:2: unknown key 'familes' (did you mean 'families'? known: description, register, fields, "
              "families)");
    EXPECT_EQ(refusal(R"({"families": [{"name": "x", "kind": "latest", "from": "/x", "into": "/x",
                                       "stale": {"member": "s", "iss": "y"}}]})"),
              "assembly.json:2: at /families/0/stale: unknown key 'iss' (did you mean 'is'? known: member, is)");
    // RapidJSON kept both members of a repeated key and the reader saw only the first.
    EXPECT_EQ(refusal("{\"register\": {\"source\": \"a\", \"into\": \"/r\",\n \"into\": \"/s\"}}"),
              "assembly.json:2: at /register: duplicate key 'into' (first at line 1)");
}

TEST(AssemblyTest, ASourceSurvivorshipDoesNotRankIsALoadError) {
    const ProfileConfig config = ProfileConfig::builtin(model::CalendarDate(2026, 11, 1));
    EXPECT_NO_THROW(config.checkSource("school_register", "sources/school_register.json"));
    try {
        config.checkSource("disability_register", "sources/disability_register.json");
        FAIL() << "an unranked source was accepted";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(error.message().find("sources/disability_register.json"), std::string::npos) << error.message();
        EXPECT_NE(error.message().find("survivorship.json"), std::string::npos) << error.message();
    }

    // Nor may a field's list or the register name a source the default order leaves out.
    EXPECT_THROW(Survivorship::parse(R"({"default": ["a"], "fields": {"/x": ["a", "b"]}})", "survivorship.json"),
                 GatewayError);
    // Survivorship reads as strictly as the assembly.
    for (const auto& [json, expected] : std::vector<std::pair<std::string, std::string>>{
             {R"({"default": ["a"], "order": ["a"]})", "survivorship.json:1: unknown key 'order'"},
             {R"({"default": ["a", ""]})", "at /default/1: expected a non-empty string"},
             {R"({"default": "a"})", "at /default: expected a list of strings"},
             {R"({"default": ["a"], "fields": {"x": ["a"]}})", "is not a profile pointer"}}) {
        try {
            Survivorship::parse(json, "survivorship.json");
            ADD_FAILURE() << "accepted: " << json;
        } catch (const GatewayError& error) {
            EXPECT_NE(error.message().find(expected), std::string::npos) << error.message();
        }
    }
    testing::TempDir dir;
    for (const char* name : {"classification.json", "alerts.json"}) {
        std::ofstream(dir.file(name)) << builtinConfigFile(name);
    }
    std::ofstream(dir.file("survivorship.json")) << R"({"default": ["police_population"]})";
    std::ofstream(dir.file("assembly.json")) << R"({"register": {"source": "household_register", "into": "/r"}})";
    try {
        ProfileConfig::load(dir.path(), model::CalendarDate(2026, 11, 1));
        FAIL() << "a register survivorship does not rank was accepted";
    } catch (const GatewayError& error) {
        EXPECT_NE(error.message().find("/register/source"), std::string::npos) << error.message();
    }
    // A folder written before assembly.json existed keeps the built-in assembly.
    std::remove(dir.file("assembly.json").c_str());
    EXPECT_EQ(ProfileConfig::load(dir.path(), model::CalendarDate(2026, 11, 1)).assembly.families.size(), 6U);
}

}  // namespace
}  // namespace gateway::profile
