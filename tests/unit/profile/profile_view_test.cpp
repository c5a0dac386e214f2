// Views decide what each level sees of a child: these tests hold the built-in views to what config/profile/views.json
// promises (a village sees who, where, guardians, schooling, classifications and alerts, IDs masked, no record
// numbers; the city sees everything) and the view language to its rules.

#include "gateway/profile/profile_view.h"
#include "gateway/common/error.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace gateway::profile {
namespace {

// A profile shaped as the builder writes one, with hostile and non-ASCII values where masking could slip.
const char* kProfile = R"({
  "person_id": "P0123456789ab", "as_of": "2026-11-01", "age": 12,
  "records": [{"source": "school_register", "source_id": "G320411201403051248"}],
  "identity": {
    "name": {"value": "张𠀀涵", "source": "police_population", "source_id": "P0001", "observed_at": "2026-10-01"},
    "id_number": {"value": "320411201403051248", "source": "police_population", "source_id": "P0001"}
  },
  "registration": {"residence_division": {"value": "320411101201", "source": "school_register",
                                          "source_id": "G320411201403051248"}},
  "guardians": {
    "mother": {"name": {"value": "李娜"}, "id_number": {"value": "32041119880101002X"},
               "phone": {"value": "13812345678"}, "status": {"value": "migrant_worker"}},
    "others": [{"relation": "grandfather", "name": "张爷爷", "phone": "13900001111", "source": "civil_rescue",
                "source_id": "C0001"}]
  },
  "education": {"school": {"value": "新北区实验小学"}},
  "health": {"disability": {"value": false}},
  "cases": [{"case_no": "C1"}],
  "classifications": [{"code": "left_behind", "provenance": [{"source_id": "P0001"}]}],
  "alerts": [],
  "conflicts": [{"field": "/identity/id_number", "values": [
      {"value": "320411201403051248", "source": "police_population", "source_id": "P0001"},
      {"value": "320411201403051256", "source": "school_register", "source_id": "G320411201403051256"}]},
    {"field": "/identity/name", "values": [{"value": "张𠀀涵", "source": "police_population"},
                                           {"value": "张子涵 32041119880101002X", "source": "health_births"}]}]
})";

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.c_str(), json.size());
    EXPECT_FALSE(document.HasParseError()) << json;
    return document;
}

const ProfileView& view(const ProfileViews& views, const char* name) {
    const ProfileView* found = views.find(name);
    EXPECT_NE(found, nullptr) << name;
    return *found;
}

TEST(ProfileView, BuiltinViewsCoverTheFourLevelsAndStatistics) {
    const ProfileViews views = ProfileViews::builtin();
    for (const char* name : {"village", "township", "district", "city", "statistics"}) {
        EXPECT_NE(views.find(name), nullptr) << name;
    }
    EXPECT_FALSE(view(views, "statistics").profiles);
    EXPECT_TRUE(view(views, "village").profiles);
    EXPECT_EQ(views.find("nobody"), nullptr);
}

TEST(ProfileView, VillageSeesWhoWhereGuardiansAndCodesWithIdsMaskedAndNoRecordNumbers) {
    const ProfileViews views = ProfileViews::builtin();
    const std::string shown = view(views, "village").apply(kProfile);
    const auto json = parse(shown);
    EXPECT_EQ(std::string(json["person_id"].GetString()), "P0123456789ab");
    EXPECT_EQ(std::string(json["identity"]["name"]["value"].GetString()), "张𠀀涵");
    // No digit of an ID number: its middle eight are the birth date shown beside it, its first six the region.
    EXPECT_EQ(std::string(json["identity"]["id_number"]["value"].GetString()), "***");
    EXPECT_EQ(std::string(json["guardians"]["mother"]["id_number"]["value"].GetString()), "***");
    EXPECT_EQ(std::string(json["guardians"]["others"][0]["phone"].GetString()), "13900001111");
    EXPECT_EQ(std::string(json["guardians"]["mother"]["phone"]["value"].GetString()), "13812345678")
        << "the village director needs to reach the guardian";
    EXPECT_TRUE(json.HasMember("education"));
    EXPECT_TRUE(json.HasMember("classifications"));
    for (const char* hidden : {"records", "health", "cases"}) {
        EXPECT_FALSE(json.HasMember(hidden)) << hidden;
    }
    // A student number is G + the citizen ID: no record number may reach the village, at any depth.
    EXPECT_EQ(shown.find("source_id"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("201403051248"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("provenance"), std::string::npos) << shown;
}

TEST(ProfileView, TownshipSeesDisagreementsWithTheirNumbersRedacted) {
    const ProfileViews views = ProfileViews::builtin();
    const std::string shown = view(views, "township").apply(kProfile);
    const auto json = parse(shown);
    ASSERT_EQ(json["conflicts"].Size(), 2u);
    EXPECT_EQ(std::string(json["conflicts"][0]["values"][1]["value"].GetString()), "[redacted]");
    EXPECT_EQ(std::string(json["conflicts"][1]["values"][1]["value"].GetString()), "张子涵 [redacted]")
        << "names stay, numbers go";
    for (const char* number : {"201403051248", "201403051256", "19880101002X"}) {
        EXPECT_EQ(shown.find(number), std::string::npos) << number;
    }
    EXPECT_EQ(std::string(json["guardians"]["mother"]["phone"]["value"].GetString()), "13812345678");
}

TEST(ProfileView, DistrictSeesIdsButNoGuardiansPhoneAndCitySeesTheWholeProfile) {
    const ProfileViews views = ProfileViews::builtin();
    const std::string shown = view(views, "district").apply(kProfile);
    const auto district = parse(shown);
    EXPECT_EQ(std::string(district["guardians"]["mother"]["phone"]["value"].GetString()), "***");
    EXPECT_EQ(std::string(district["guardians"]["others"][0]["phone"].GetString()), "***")
        << "other guardians' phones are plain strings, and withheld too";
    EXPECT_EQ(std::string(district["identity"]["id_number"]["value"].GetString()), "320411201403051248");
    EXPECT_EQ(shown.find("13812345678"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("13900001111"), std::string::npos) << shown;
    EXPECT_TRUE(district.HasMember("records"));
    EXPECT_TRUE(district.HasMember("cases"));

    const auto city = parse(view(views, "city").apply(kProfile));
    EXPECT_TRUE(city == parse(kProfile)) << "the city view is the whole profile, unchanged";
}

TEST(ProfileView, PatternsMatchOneOrAnyLevels) {
    const ProfileViews views = ProfileViews::parse(R"({"views": {
        "one": {"include": ["/guardians/*/name"]},
        "deep": {"include": ["/**"], "drop": ["/**/value"]},
        "index": {"include": ["/guardians/others/0/phone"], "mask": {"/guardians/others/*/phone": "hidden"}}
    }})",
                                                   "test");
    const auto one = parse(view(views, "one").apply(kProfile));
    EXPECT_EQ(one.MemberCount(), 1u);
    EXPECT_TRUE(one["guardians"]["mother"].HasMember("name"));
    EXPECT_FALSE(one["guardians"]["mother"].HasMember("phone"));
    EXPECT_FALSE(one["guardians"].HasMember("others")) << "* matches one level: others/0/name is two below";

    const std::string deep = view(views, "deep").apply(kProfile);
    EXPECT_EQ(deep.find("\"value\""), std::string::npos) << deep;
    EXPECT_NE(deep.find("\"source\""), std::string::npos) << deep;

    const auto index = parse(view(views, "index").apply(kProfile));
    EXPECT_EQ(std::string(index["guardians"]["others"][0]["phone"].GetString()), "***");
}

TEST(ProfileView, MaskingShowsNoCharacterOfAWithheldValueAndRedactsNumbersInText) {
    for (const char* value : {"320411201403051248", "13812345678", "1234567", "anything", "𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀"}) {
        EXPECT_EQ(maskValue(value, MaskKind::Withheld), "***") << value;
    }
    EXPECT_EQ(maskValue("", MaskKind::Withheld), "") << "no value is not shown as one";
    EXPECT_EQ(maskValue("李娜 13812345678 / 32041119880101002X", MaskKind::Redact), "李娜 [redacted] / [redacted]");
    EXPECT_EQ(maskValue("2014-03-05", MaskKind::Redact), "2014-03-05");
    // The names earlier views files used all withhold now.
    const ProfileViews views = ProfileViews::parse(
        R"({"views": {"v": {"include": ["/**"], "mask": {"/identity/id_number/value": "id_number",
            "/guardians/mother/phone/value": "phone", "/guardians/mother/name/value": "hidden"}}}})",
        "test");
    const auto json = parse(view(views, "v").apply(kProfile));
    EXPECT_EQ(std::string(json["identity"]["id_number"]["value"].GetString()), "***");
    EXPECT_EQ(std::string(json["guardians"]["mother"]["phone"]["value"].GetString()), "***");
    EXPECT_EQ(std::string(json["guardians"]["mother"]["name"]["value"].GetString()), "***");
}

TEST(ProfileView, MistakesInTheViewsFileNameTheirPlace) {
    const auto fails = [](const std::string& json, const std::string& where) {
        try {
            ProfileViews::parse(json, "views.json");
            ADD_FAILURE() << "accepted: " << json;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find(where), std::string::npos) << e.message();
        }
    };
    fails("not json", "views.json:1: invalid JSON");
    fails(R"({"views": []})", "/views");
    fails(R"({"views": {}})", "no view");
    fails(R"({"views": {"v": {"include": ["identity"]}}})", "/views/v/include/0");
    fails(R"({"views": {"v": {"include": "/identity"}}})", "/views/v/include");
    fails(R"({"views": {"v": {"include": ["/a"], "mask": {"/a": "blur"}}}})", "/views/v/mask/~1a");
    fails(R"({"views": {"v": {"include": ["/a"], "colour": "red"}}})", "at /views/v: unknown key 'colour'");
    fails(R"({"views": {"v": {"profiles": false, "include": ["/a"]}}})", "/views/v/include");
    fails(R"({"views": {"v": {"profiles": "no"}}})", "/views/v/profiles");
    fails(R"({"veiws": {"v": {"include": ["/a"]}}, "views": {"v": {"include": ["/a"]}}})",
          "unknown key 'veiws' (did you mean 'views'?");
}

}  // namespace
}  // namespace gateway::profile
