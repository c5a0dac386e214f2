#include "gateway/intake/source_config.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

namespace gateway::intake {
namespace {

std::string errorFor(const std::string& json) {
    testing::TempDir dir;
    testing::writeFile(dir.file("s.json"), json);
    try {
        readSourceConfig(dir.file("s.json"), "/base");
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        const std::string message = e.message();
        const std::string prefix = dir.file("s.json");
        EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
        return message.substr(prefix.size());
    }
    ADD_FAILURE() << "accepted: " << json;
    return "";
}

TEST(SourceConfigTest, ReadsEveryKey) {
    testing::TempDir dir;
    testing::writeFile(dir.file("police.json"), R"({
        "source": "police_population", "description": "公安人口基础信息", "adapter": "rest",
        "mapping": "mappings/police_population.json", "enabled": false, "schedule_seconds": 300,
        "batch_size": 500, "settings": {"url": "http://127.0.0.1:1", "page": {"size": 100}}
    })");
    const auto config = readSourceConfig(dir.file("police.json"), "/srv/gw");
    EXPECT_EQ(config.source, "police_population");
    EXPECT_EQ(config.description, "公安人口基础信息");
    EXPECT_EQ(config.adapter, "rest");
    EXPECT_EQ(config.mapping, "/srv/gw/mappings/police_population.json");
    EXPECT_FALSE(config.enabled);
    EXPECT_EQ(config.schedule_seconds, 300);
    EXPECT_EQ(config.batch_size, 500);
    EXPECT_EQ(config.settings_json, R"({"url":"http://127.0.0.1:1","page":{"size":100}})");
    EXPECT_EQ(config.origin, dir.file("police.json"));
}

TEST(SourceConfigTest, DefaultsAndAbsoluteMappingPath) {
    testing::TempDir dir;
    testing::writeFile(dir.file("s.json"), R"({"source":"s1","adapter":"file","mapping":"/etc/m.json"})");
    const auto config = readSourceConfig(dir.file("s.json"), "/srv");
    EXPECT_EQ(config.mapping, "/etc/m.json");
    EXPECT_TRUE(config.enabled);
    EXPECT_EQ(config.schedule_seconds, 0);
    EXPECT_EQ(config.batch_size, 1000);
    EXPECT_EQ(config.settings_json, "{}");
}

TEST(SourceConfigTest, RejectsMistakesWithTheLineAndTheKeyNamed) {
    EXPECT_EQ(
        errorFor(R"({"source":"s","adapter":"rest","mapping":"m","shedule_seconds":5})"),
        ":1: unknown key 'shedule_seconds' (did you mean 'schedule_seconds'? known: source, description, adapter, "
        "mapping, enabled, schedule_seconds, batch_size, settings)");
    EXPECT_EQ(errorFor(R"({"adapter":"rest","mapping":"m"})"), ":1: missing key 'source'");
    EXPECT_EQ(errorFor(R"({"source":"Police-1","adapter":"rest","mapping":"m"})"),
              ":1: at /source: \"Police-1\" must be 1-64 lower-case letters, digits or '_', starting with a letter");
    EXPECT_EQ(errorFor("{\"source\":\"s\",\"adapter\":\"rest\",\"mapping\":\"m\",\n\"batch_size\":0}"),
              ":2: at /batch_size: expected a whole number from 1 to 100000, got 0");
    EXPECT_EQ(errorFor(R"({"source":"s","adapter":"rest","mapping":"m","batch_size":2.5})"),
              ":1: at /batch_size: expected a whole number from 1 to 100000, got 2.5");
    EXPECT_EQ(errorFor(R"({"source":"s","adapter":"rest","mapping":"m","enabled":"yes"})"),
              ":1: at /enabled: expected true or false, got string");
    EXPECT_EQ(errorFor(R"({"source":"s","adapter":"rest","mapping":"m","settings":[]})"),
              ":1: at /settings: expected an object, got array");
    EXPECT_EQ(errorFor(R"({"source":"s","adapter":7,"mapping":"m"})"),
              ":1: at /adapter: expected a string, got number");
    EXPECT_EQ(errorFor("[1]"), ":1: expected an object, got array");
}

TEST(SourceConfigTest, ARepeatedKeyIsAnErrorNotALaterWinner) {
    // Two values for one key would leave one silently unused: which adapter would run?
    const std::string message =
        errorFor("{\"source\":\"s\",\"adapter\":\"rest\",\"mapping\":\"m\",\n\"adapter\":\"sql\"}");
    EXPECT_EQ(message.rfind(":2: ", 0), 0u) << message;
    EXPECT_NE(message.find("'adapter'"), std::string::npos) << message;
    EXPECT_NE(message.find("first at line 1"), std::string::npos) << message;
}

TEST(SourceConfigTest, SettingsPassOnAsTheAdaptersReaderSeesThem) {
    // Numbers as RapidJSON reads them (2.50 is 2.5), strings escaped again, the largest integers kept whole.
    testing::TempDir dir;
    testing::writeFile(dir.file("s.json"),
                       R"({"source":"s","adapter":"rest","mapping":"m","settings":{"a":[1,2.50,-3e2,true,null],)"
                       R"("b":"\u4e2d\"\n","big":12345678901234567890}})");
    EXPECT_EQ(readSourceConfig(dir.file("s.json"), "").settings_json,
              R"({"a":[1,2.5,-300.0,true,null],"b":"中\"\n","big":12345678901234567890})");
}

TEST(SourceConfigTest, SyntaxErrorNamesTheLineAndColumn) {
    EXPECT_EQ(errorFor("{\n\"source\": \"s\",\n\"adapter\": rest\n}"), ":3: invalid JSON: Invalid value. (column 12)");
    EXPECT_EQ(errorFor("{\"source\": \"\xff\"}"), ":1: invalid JSON: Invalid encoding in string. (column 13)");
}

TEST(SourceConfigTest, ReadsAFolderInNameOrderAndRefusesDuplicates) {
    testing::TempDir dir;
    testing::writeFile(dir.file("b.json"), R"({"source":"beta","adapter":"file","mapping":"m"})");
    testing::writeFile(dir.file("a.json"), R"({"source":"alpha","adapter":"file","mapping":"m"})");
    testing::writeFile(dir.file("notes.txt"), "not a source");
    const auto configs = readSourceConfigs(dir.path(), "");
    ASSERT_EQ(configs.size(), 2u);
    EXPECT_EQ(configs[0].source, "alpha");
    EXPECT_EQ(configs[1].source, "beta");

    testing::writeFile(dir.file("c.json"), R"({"source":"alpha","adapter":"rest","mapping":"m"})");
    try {
        readSourceConfigs(dir.path(), "");
        FAIL() << "duplicate accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.message(),
                  dir.file("c.json") + ": source \"alpha\" is already configured in " + dir.file("a.json"));
    }
    EXPECT_TRUE(readSourceConfigs(dir.file("missing"), "").empty());
}

}  // namespace
}  // namespace gateway::intake
