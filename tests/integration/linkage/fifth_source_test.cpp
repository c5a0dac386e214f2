// A fifth department system added by configuration alone: the district disability federation's certificate register
// (残联), a GB18030 CSV with Chinese headers dropped in a folder, written only as a source file, a mapping and the
// profile configuration. Its facts go through sync, linkage and the profile build into the children's profiles, a
// classification rule and the views, without a line of C++ for it; until survivorship ranks it, the gateway refuses
// to start on it.

#include "gateway/profile/profile_view.h"
#include "gateway/store/store.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/encoding.h"

#include <Poco/File.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace gateway::testing {
namespace {

constexpr const char* kSource = "disability_register";

rapidjson::Document parsed(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    EXPECT_FALSE(document.HasParseError());
    return document;
}

std::string serialized(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return buffer.GetString();
}

/// config/profile/NAME with `edit` applied, written to `dir`.
void editConfig(const std::string& dir, const std::string& name,
                const std::function<void(rapidjson::Document&, rapidjson::Document::AllocatorType&)>& edit) {
    rapidjson::Document document = parsed(readFile(std::string(GATEWAY_SOURCE_DIR) + "/config/profile/" + name));
    edit(document, document.GetAllocator());
    writeFile(dir + "/" + name, serialized(document));
}

rapidjson::Value jsonValue(const std::string& text, rapidjson::Document::AllocatorType& allocator) {
    rapidjson::Document document = parsed(text);
    return rapidjson::Value(document, allocator);
}

std::string at(const rapidjson::Value& json, const char* pointer) {
    const rapidjson::Value* value = rapidjson::Pointer(pointer).Get(json);
    return value != nullptr && value->IsString() ? value->GetString() : "";
}

struct Child {
    std::string person;
    std::string id_number;
    std::string name;
};

TEST(FifthSourceTest, ADisabilityRegisterAddedByConfigurationReachesProfilesClassificationsAndViews) {
    sim::DeptsimServer sim({}, 200, 5);
    GatewaySetup gateway(sim);
    const std::vector<std::string> as_of{"--set", "profile.as_of=2026-11-01"};
    const auto withConfig = [&](std::vector<std::string> args, const std::vector<std::string>& extra) {
        args.insert(args.end(), extra.begin(), extra.end());
        return gateway.run(args);
    };
    ASSERT_EQ(gateway.sync().exit_code, 0);
    ASSERT_EQ(withConfig({"link", "--full"}, as_of).exit_code, 0);
    ASSERT_EQ(withConfig({"profiles", "rebuild"}, as_of).exit_code, 0);

    // Three children of the city with a valid ID number, as the federation knows them.
    std::vector<Child> children;
    {
        auto store = gateway.openStore();
        profile::ProfileQuery query;
        query.limit = 200;
        for (const auto& profile : store->queryProfiles(query)) {
            if (children.size() < 3 && profile.id_number.size() == 18 && !profile.name.empty()) {
                children.push_back({profile.person_id, profile.id_number, profile.name});
            }
        }
    }
    ASSERT_EQ(children.size(), 3U);

    // The source: a mapping and a source file, and the federation's export in its drop folder.
    const std::string mapping = gateway.file("disability_register.mapping.json");
    writeFile(mapping, R"({"source": "disability_register", "version": "1",
        "description": "区残联 残疾人证 export: one certificate per line, the holder's citizen ID links it",
        "fields": {
            "source_id": {"column": "残疾人证号", "transforms": ["trim", "upper"], "required": true},
            "id_number": {"column": "身份证号", "transforms": [{"citizen_id": {"on_bad_check_digit": "keep"}}]},
            "name": {"column": "姓名", "transforms": ["trim", "name"]},
            "facts.disability.category": {"column": "残疾类别", "transforms": ["trim"]},
            "facts.disability.grade": {"column": "残疾等级", "transforms": ["trim"]},
            "facts.disability.issued": {"column": "发证日期", "transforms": ["date"], "on_error": "warn"}}})");
    const std::string drop = gateway.file("disability_drop");
    Poco::File(drop).createDirectories();
    const std::vector<std::string> grades = {"一级", "二级", "四级"};
    std::string csv = "残疾人证号,身份证号,姓名,残疾类别,残疾等级,发证日期\r\n";
    for (std::size_t i = 0; i < children.size(); ++i) {
        csv += children[i].id_number + "1" + std::to_string(i + 1) + "," + children[i].id_number + "," +
               children[i].name + ",视力残疾," + grades[i] + ",2025-06-0" + std::to_string(i + 1) + "\r\n";
    }
    writeFile(drop + "/certificates_20261101.csv", toGb18030(csv));
    writeFile(drop + "/certificates_20261101.csv.ok", "");
    gateway.addSource(kSource, "file", mapping,
                      R"({"dir": ")" + drop + R"(", "pattern": "certificates_*.csv", "marker_suffix": ".ok",
                          "encoding": "auto"})");

    // Until survivorship ranks it, the gateway will not start on it: its values would silently rank last.
    const auto refused = gateway.sync({"--source", kSource});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find(kSource), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("survivorship"), std::string::npos) << refused.err;

    // The profile configuration: ranked last by default, its certificate a family of the profile, a classification
    // rule on the grade, and the township's view showing it (the village's does not).
    const std::string profile_dir = gateway.file("profile");
    Poco::File(profile_dir).createDirectories();
    editConfig(profile_dir, "survivorship.json", [](rapidjson::Document& document, auto& allocator) {
        document["default"].PushBack(rapidjson::Value(kSource, allocator), allocator);
    });
    editConfig(profile_dir, "assembly.json", [](rapidjson::Document& document, auto& allocator) {
        document["families"].PushBack(jsonValue(R"({"name": "disability_certificate", "kind": "survivor",
            "from": "/facts/disability", "into": "/disability"})",
                                                allocator),
                                      allocator);
    });
    editConfig(profile_dir, "classification.json", [](rapidjson::Document& document, auto& allocator) {
        document["rules"].PushBack(jsonValue(R"({"code": "severe_disability", "label": "重度残疾儿童",
            "when": {"path": "/disability/grade/value", "in": ["一级", "二级"]}})",
                                             allocator),
                                   allocator);
    });
    editConfig(profile_dir, "alerts.json", [](rapidjson::Document&, auto&) {});
    editConfig(profile_dir, "views.json", [](rapidjson::Document& document, auto& allocator) {
        document["views"]["township"]["include"].PushBack(rapidjson::Value("/disability", allocator), allocator);
    });
    std::vector<std::string> configured = as_of;
    configured.insert(configured.end(), {"--set", "profile.config_dir=" + profile_dir});

    const auto synced = withConfig({"sync", "--source", kSource}, configured);
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    const auto linked = withConfig({"link"}, configured);
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    const auto built = withConfig({"profiles", "rebuild"}, configured);
    ASSERT_EQ(built.exit_code, 0) << built.err;

    auto store = gateway.openStore();
    EXPECT_EQ(store->countSourceRecords(kSource), 3);
    const profile::ProfileViews views = profile::ProfileViews::load(profile_dir);
    for (std::size_t i = 0; i < children.size(); ++i) {
        const auto profile = store->profile(children[i].person);
        ASSERT_TRUE(profile.has_value()) << children[i].person;
        const rapidjson::Document json = parsed(profile->profile_json);
        // Linked into the child's own person, the certificate is in the profile with its provenance.
        EXPECT_EQ(at(json, "/disability/grade/value"), grades[i]) << profile->profile_json;
        EXPECT_EQ(at(json, "/disability/category/value"), "视力残疾");
        EXPECT_EQ(at(json, "/disability/grade/source"), kSource);
        EXPECT_EQ(at(json, "/disability/issued/value"), "2025-06-0" + std::to_string(i + 1));
        const bool severe = i < 2;
        const auto& codes = profile->classifications;
        EXPECT_EQ(std::find(codes.begin(), codes.end(), "severe_disability") != codes.end(), severe)
            << children[i].person;
        // The township sees the certificate; the village, whose view does not name it, does not.
        const rapidjson::Document township = parsed(views.find("township")->apply(profile->profile_json));
        EXPECT_EQ(at(township, "/disability/grade/value"), grades[i]);
        const rapidjson::Document village = parsed(views.find("village")->apply(profile->profile_json));
        EXPECT_FALSE(village.HasMember("disability"));
        if (severe) {
            EXPECT_NE(serialized(village["classifications"]).find("severe_disability"), std::string::npos)
                << "the classification itself reaches the village";
        }
    }
}

}  // namespace
}  // namespace gateway::testing
