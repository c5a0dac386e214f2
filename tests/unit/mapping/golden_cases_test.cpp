#include "mapping_fixture.h"

#include "gateway/model/source_record.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

// Golden mapping cases: tests/unit/mapping/cases/<source>/<case>.json runs a row through mappings/<source>.json.
// Adding a case needs no C++. A case file is
//   {"description": "…", "as_of": "2026-11-01" (optional), "row": {…} or "row_text": "…",
//    "expect": {"outcome": "accepted" | "accepted_with_warnings" | "quarantined",
//               "record": {canonical record} (unless quarantined), "warnings": ["…"] (default none),
//               "reason": "…" (quarantined only), "source_id": "…" (optional, checked even when quarantined)}}
namespace gateway::mapping {
namespace {

namespace fs = std::filesystem;

struct GoldenCase {
    std::string source;
    std::string path;
    std::string name;  // for the test name: <source>_<file stem>
};

std::string casesDir() {
    return std::string(GATEWAY_SOURCE_DIR) + "/tests/unit/mapping/cases";
}

std::vector<GoldenCase> findCases() {
    std::vector<GoldenCase> cases;
    if (!fs::is_directory(casesDir())) {
        return cases;
    }
    for (const auto& source_dir : fs::directory_iterator(casesDir())) {
        if (!source_dir.is_directory()) {
            continue;
        }
        for (const auto& file : fs::directory_iterator(source_dir.path())) {
            if (file.path().extension() != ".json") {
                continue;
            }
            std::string name = source_dir.path().filename().string() + "_" + file.path().stem().string();
            std::replace_if(
                name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
            cases.push_back({source_dir.path().filename().string(), file.path().string(), name});
        }
    }
    std::sort(cases.begin(), cases.end(), [](const GoldenCase& a, const GoldenCase& b) { return a.path < b.path; });
    return cases;
}

std::string compact(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

const Mapping& mappingFor(const std::string& source) {
    static std::map<std::string, Mapping> mappings;
    auto it = mappings.find(source);
    if (it == mappings.end()) {
        it =
            mappings
                .emplace(source, Mapping::load(testing::mappingsDir() + "/" + source + ".json", testing::testContext()))
                .first;
    }
    return it->second;
}

void expectOnlyKeys(const rapidjson::Value& object, std::initializer_list<std::string_view> keys,
                    const std::string& where) {
    for (auto member = object.MemberBegin(); member != object.MemberEnd(); ++member) {
        const std::string_view key(member->name.GetString(), member->name.GetStringLength());
        EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << where << ": unknown key " << key;
    }
}

class GoldenCaseTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenCaseTest, MapsAsExpected) {
    const GoldenCase& golden = GetParam();
    rapidjson::Document spec;
    spec.Parse<rapidjson::kParseFullPrecisionFlag>(gateway::testing::readFile(golden.path).c_str());
    ASSERT_FALSE(spec.HasParseError()) << golden.path << ": not valid JSON at byte " << spec.GetErrorOffset();
    ASSERT_TRUE(spec.IsObject());
    expectOnlyKeys(spec, {"description", "as_of", "row", "row_text", "expect"}, golden.path);
    ASSERT_TRUE(spec.HasMember("description") && spec["description"].IsString())
        << golden.path << ": needs a description";
    ASSERT_TRUE(spec.HasMember("expect") && spec["expect"].IsObject()) << golden.path;
    const rapidjson::Value& expect = spec["expect"];
    expectOnlyKeys(expect, {"outcome", "record", "warnings", "reason", "source_id"}, golden.path);

    std::string row;
    if (spec.HasMember("row_text")) {
        row = spec["row_text"].GetString();
    } else {
        ASSERT_TRUE(spec.HasMember("row")) << golden.path << ": needs row or row_text";
        row = compact(spec["row"]);
    }
    model::CalendarDate as_of = testing::kAsOf;
    if (spec.HasMember("as_of")) {
        const auto parsed = model::parseDate(spec["as_of"].GetString());
        ASSERT_TRUE(parsed) << parsed.error();
        as_of = *parsed;
    }

    const MappedRecord result = mappingFor(golden.source).apply(row, as_of);
    SCOPED_TRACE(golden.path + ": " + spec["description"].GetString());
    ASSERT_TRUE(expect.HasMember("outcome"));
    EXPECT_EQ(outcomeName(result.outcome), expect["outcome"].GetString()) << result.reason;

    std::vector<std::string> expected_warnings;
    if (expect.HasMember("warnings")) {
        for (const auto& warning : expect["warnings"].GetArray()) {
            expected_warnings.emplace_back(warning.GetString());
        }
    }
    EXPECT_EQ(result.warnings, expected_warnings);
    EXPECT_EQ(result.reason, expect.HasMember("reason") ? expect["reason"].GetString() : "");
    if (expect.HasMember("source_id")) {
        EXPECT_EQ(result.record.source_id, expect["source_id"].GetString());
    }
    if (expect.HasMember("record")) {
        const std::string actual_json = model::toJson(result.record);
        rapidjson::Document actual;
        actual.Parse<rapidjson::kParseFullPrecisionFlag>(actual_json.c_str());
        ASSERT_FALSE(actual.HasParseError()) << actual_json;
        EXPECT_TRUE(actual == expect["record"])
            << "expected " << compact(expect["record"]) << "\n     got " << actual_json;
        // What a mapping produces must be what `gateway link` accepts.
        const model::SourceRecordResult reparsed = model::parseSourceRecord(actual_json);
        ASSERT_TRUE(reparsed) << reparsed.error;
        EXPECT_TRUE(reparsed.warnings.empty());
    } else {
        EXPECT_EQ(result.outcome, Outcome::Quarantined) << golden.path << ": accepted cases need an expected record";
    }
}

// An empty cases folder is reported by EverySourceHasEnoughCases below, not as a gtest set-up error.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenCaseTest);

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCaseTest, ::testing::ValuesIn(findCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

TEST(GoldenCaseSetTest, EverySourceHasEnoughCases) {
    std::map<std::string, std::vector<std::string>> by_source;
    for (const GoldenCase& golden : findCases()) {
        by_source[golden.source].push_back(gateway::testing::readFile(golden.path));
    }
    for (const char* source : {"police_population", "school_register", "health_births", "civil_rescue"}) {
        const auto& texts = by_source[source];
        EXPECT_GE(texts.size(), 5u) << source;
        const auto has = [&](std::string_view outcome) {
            return std::any_of(texts.begin(), texts.end(), [&](const std::string& text) {
                return text.find("\"outcome\": \"" + std::string(outcome) + "\"") != std::string::npos;
            });
        };
        EXPECT_TRUE(has("quarantined")) << source;
        EXPECT_TRUE(has("accepted_with_warnings")) << source;
        EXPECT_TRUE(has("accepted")) << source;
    }
}

}  // namespace
}  // namespace gateway::mapping
