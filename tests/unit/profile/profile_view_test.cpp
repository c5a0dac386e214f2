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
    "others": [{"name": {"value": "张爷爷"}, "id_number": {"value": "320411195001010011"},
                "phone": {"value": "13900001111"}}]
  },
  "education": {"school": {"value": "新北区实验小学"}},
  "health": {"disability": {"value": false}},
  "cases": [{"case_no": "C1"}],
  "classifications": [{"code": "left_behind", "provenance": [{"source_id": "P0001"}]}],
  "alerts": []
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
    EXPECT_EQ(std::string(json["identity"]["id_number"]["value"].GetString()), "320411********1248");
    EXPECT_EQ(std::string(json["guardians"]["mother"]["id_number"]["value"].GetString()), "320411********002X");
    EXPECT_EQ(std::string(json["guardians"]["others"][0]["id_number"]["value"].GetString()), "320411********0011");
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

TEST(ProfileView, DistrictMasksPhonesAndCitySeesTheWholeProfile) {
    const ProfileViews views = ProfileViews::builtin();
    const auto district = parse(view(views, "district").apply(kProfile));
    EXPECT_EQ(std::string(district["guardians"]["mother"]["phone"]["value"].GetString()), "138****5678");
    EXPECT_EQ(std::string(district["guardians"]["others"][0]["phone"]["value"].GetString()), "139****1111");
    EXPECT_TRUE(district.HasMember("records"));
    EXPECT_TRUE(district.HasMember("cases"));

    const auto city = parse(view(views, "city").apply(kProfile));
    EXPECT_TRUE(city == parse(kProfile)) << "the city view is the whole profile, unchanged";
}

TEST(ProfileView, PatternsMatchOneOrAnyLevels) {
    const ProfileViews views = ProfileViews::parse(R"({"views": {
        "one": {"include": ["/guardians/*/name"]},
        "deep": {"include": ["/**"], "drop": ["/**/value"]},
        "index": {"include": ["/guardians/others/0/phone"], "mask": {"/guardians/others/*/phone/value": "hidden"}}
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
    EXPECT_EQ(std::string(index["guardians"]["others"][0]["phone"]["value"].GetString()), "***");
}

TEST(ProfileView, MaskingKeepsOnlyTheEndsAndHidesShortValuesWhole) {
    EXPECT_EQ(maskValue("320411201403051248", MaskKind::IdNumber), "320411********1248");
    EXPECT_EQ(maskValue("13812345678", MaskKind::Phone), "138****5678");
    EXPECT_EQ(maskValue("1234567", MaskKind::Phone), "***") << "nothing would be hidden";
    EXPECT_EQ(maskValue("3204112014", MaskKind::IdNumber), "***");
    EXPECT_EQ(maskValue("", MaskKind::Phone), "***");
    EXPECT_EQ(maskValue("anything", MaskKind::Hidden), "***");
    // Characters, not bytes: a 4-byte character counts once and is never cut in half.
    EXPECT_EQ(maskValue("𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀", MaskKind::Phone), "𠀀𠀀𠀀**𠀀𠀀𠀀𠀀");
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
    fails("not json", "not JSON");
    fails(R"({"views": []})", "/views");
    fails(R"({"views": {}})", "no view");
    fails(R"({"views": {"v": {"include": ["identity"]}}})", "/views/v/include/0");
    fails(R"({"views": {"v": {"include": "/identity"}}})", "/views/v/include");
    fails(R"({"views": {"v": {"include": ["/a"], "mask": {"/a": "blur"}}}})", "/views/v/mask/a");
    fails(R"({"views": {"v": {"include": ["/a"], "colour": "red"}}})", "/views/v/colour");
    fails(R"({"views": {"v": {"profiles": false, "include": ["/a"]}}})", "/views/v/include");
    fails(R"({"views": {"v": {"profiles": "no"}}})", "/views/v/profiles");
}

}  // namespace
}  // namespace gateway::profile
