#include "gateway/app/settings.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

namespace gateway::app {
namespace {

std::string configError(const ConfigValues& values, const ConfigValues& overrides = {}) {
    try {
        loadSettings(values, "site.properties", overrides);
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        return e.message();
    }
    ADD_FAILURE() << "expected the configuration to be rejected";
    return "";
}

TEST(SettingsTest, DefaultsDescribeTheEmbeddedStoreOnLoopback) {
    const auto settings = loadSettings({}, "defaults");
    EXPECT_EQ(settings.server.host, "127.0.0.1");
    EXPECT_EQ(settings.server.port, 8080);
    EXPECT_EQ(settings.server.max_body_bytes, 1048576u);
    EXPECT_EQ(settings.store.kind, store::StoreKind::Sqlite);
    EXPECT_EQ(settings.store.sqlite_path, "var/gateway.db");
    EXPECT_EQ(settings.store.busy_timeout_ms, 5000);
    EXPECT_EQ(settings.logging.level, "information");
    EXPECT_TRUE(settings.reference.divisions_file.empty());
}

TEST(SettingsTest, ReadsEveryTypeOfValue) {
    const auto settings = loadSettings({{"server.port", " 9090 "},
                                        {"server.host", "0.0.0.0"},
                                        {"store.kind", "postgresql"},
                                        {"store.postgresql.connection", "host=127.0.0.1 dbname=gw"},
                                        {"logging.level", "debug"}},
                                       "site.properties");
    EXPECT_EQ(settings.server.port, 9090);
    EXPECT_EQ(settings.server.host, "0.0.0.0");
    EXPECT_EQ(settings.store.kind, store::StoreKind::Postgresql);
    EXPECT_EQ(settings.store.postgresql_connection, "host=127.0.0.1 dbname=gw");
    EXPECT_EQ(settings.logging.level, "debug");
}

TEST(SettingsTest, OverridesWinOverTheFile) {
    const auto settings = loadSettings({{"server.port", "9090"}}, "site.properties", {{"server.port", "0"}});
    EXPECT_EQ(settings.server.port, 0);
}

TEST(SettingsTest, UnknownKeyIsNamedWithTheFileAndANearbySuggestion) {
    EXPECT_EQ(configError({{"server.prot", "80"}}),
              "site.properties: unknown key \"server.prot\" (did you mean 'server.port'?)");
    EXPECT_EQ(configError({{"completely.different", "1"}}), "site.properties: unknown key \"completely.different\"");
    EXPECT_EQ(configError({}, {{"store.sqlite.pth", "x"}}),
              "--set: unknown key \"store.sqlite.pth\" (did you mean 'store.sqlite.path'?)");
}

TEST(SettingsTest, RejectsMalformedIntegers) {
    EXPECT_EQ(configError({{"server.port", "80a"}}),
              "site.properties: key 'server.port': \"80a\" is not a whole number");
    EXPECT_EQ(configError({{"server.port", ""}}), "site.properties: key 'server.port': \"\" is not a whole number");
    EXPECT_EQ(configError({{"server.port", "99999999999999999999999"}}),
              "site.properties: key 'server.port': \"99999999999999999999999\" is not a whole number");
    EXPECT_EQ(configError({{"server.port", "65536"}}), "site.properties: key 'server.port': 65536 is outside 0..65535");
    EXPECT_EQ(configError({{"server.threads", "-1"}}), "site.properties: key 'server.threads': -1 is outside 1..1024");
}

TEST(SettingsTest, RejectsChoicesOutsideTheList) {
    EXPECT_EQ(configError({{"store.kind", "mysql"}}),
              "site.properties: key 'store.kind': \"mysql\" is not one of sqlite, postgresql");
}

TEST(SettingsTest, RejectsHostileBytes) {
    EXPECT_EQ(configError({{"server.host", std::string("127.0.0.1\0x", 11)}}),
              "site.properties: key 'server.host': value contains a NUL byte");
    EXPECT_EQ(configError({{"server.host", "\xff\xfe"}}),
              "site.properties: key 'server.host': value is not valid UTF-8");
    const std::string long_value(10000, '9');
    EXPECT_NE(configError({{"server.port", long_value}}).find("is not a whole number"), std::string::npos);
}

TEST(SettingsTest, PostgresqlNeedsAConnectionString) {
    EXPECT_EQ(configError({{"store.kind", "postgresql"}}),
              "site.properties: key 'store.postgresql.connection': required when store.kind = postgresql");
}

TEST(SettingsTest, RelativePathsResolveAgainstTheStartDirectory) {
    const auto settings = loadSettings({{"store.sqlite.path", "data/gw.db"}}, "site.properties", {}, "/srv/gateway");
    EXPECT_EQ(settings.store.sqlite_path, "/srv/gateway/data/gw.db");
    const auto absolute = loadSettings({{"store.sqlite.path", "/var/lib/gw.db"}}, "site.properties", {}, "/srv");
    EXPECT_EQ(absolute.store.sqlite_path, "/var/lib/gw.db");
}

TEST(SettingsTest, ReadsAPropertiesFile) {
    testing::TempDir dir;
    testing::writeFile(dir.file("gw.properties"), "# comment\nserver.port = 7070\nstore.sqlite.path=/tmp/x.db\n");
    const auto values = readConfigFile(dir.file("gw.properties"));
    ASSERT_EQ(values.size(), 2u);
    EXPECT_EQ(values.at("server.port"), "7070");
    EXPECT_EQ(values.at("store.sqlite.path"), "/tmp/x.db");
}

TEST(SettingsTest, MissingFileIsNamed) {
    try {
        readConfigFile("/nonexistent/gw.properties");
        FAIL() << "expected an error";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.message(), "/nonexistent/gw.properties: configuration file not found");
    }
}

TEST(SettingsTest, ShippedExampleIsTheGeneratedOneAndLoads) {
    const std::string shipped = testing::readFile(std::string(GATEWAY_SOURCE_DIR) + "/config/gateway.properties");
    EXPECT_EQ(shipped, exampleConfig()) << "regenerate with: gateway config example > config/gateway.properties";

    testing::TempDir dir;
    testing::writeFile(dir.file("example.properties"), exampleConfig());
    const auto values = readConfigFile(dir.file("example.properties"));
    EXPECT_EQ(values.size(), configKeys().size());
    const auto settings = loadSettings(values, "example.properties");
    EXPECT_EQ(settings.server.port, 8080);
}

TEST(SettingsTest, EveryKeyIsDocumented) {
    const std::string example = exampleConfig();
    for (const auto& key : configKeys()) {
        EXPECT_FALSE(key.description.empty()) << key.name;
        EXPECT_NE(example.find("\n" + std::string(key.name) + " = "), std::string::npos) << key.name;
    }
}

}  // namespace
}  // namespace gateway::app
