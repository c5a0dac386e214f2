#include "adapters/common/adapter_settings.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace gateway::adapters {
namespace {

constexpr const char* kOrigin = "config/sources/police.json";

/// The InvalidConfig message `action` throws; fails the test when it throws nothing or another code.
template <typename Action>
std::string configError(Action&& action) {
    try {
        action();
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig) << e.message();
        return e.message();
    }
    ADD_FAILURE() << "no error thrown";
    return {};
}

TEST(AdapterSettingsTest, ReadsValidSettingsOfEveryType) {
    AdapterSettings settings(R"({"url":"https://x","page_size":500,"ratio":0.5,"verify":false,"mode":"fast",
        "tables":["a","b"],"headers":{"X-A":"1"},"auth":{"type":"api_key","key":"k"},"note":""})",
                             kOrigin);
    EXPECT_EQ(settings.requiredString("url"), "https://x");
    EXPECT_EQ(settings.integer("page_size", 100, 1, 1000), 500);
    EXPECT_EQ(settings.integer("absent_integer", 100, 1, 1000), 100);
    EXPECT_DOUBLE_EQ(settings.number("ratio", 1.0, 0.0, 1.0), 0.5);
    EXPECT_FALSE(settings.boolean("verify", true));
    EXPECT_EQ(settings.oneOf("mode", {"fast", "slow"}), "fast");
    EXPECT_EQ(settings.stringList("tables"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(settings.stringMap("headers"), (std::map<std::string, std::string>{{"X-A", "1"}}));
    EXPECT_EQ(settings.optionalString("note", "fallback"), "");
    EXPECT_EQ(settings.optionalString("absent", "fallback"), "fallback");
    EXPECT_EQ(settings.maybeString("absent"), std::nullopt);
    AdapterSettings auth = settings.object("auth");
    EXPECT_EQ(auth.oneOf("type", {"none", "api_key"}, "none"), "api_key");
    EXPECT_EQ(auth.requiredSecret("key", "key_env"), "k");
    EXPECT_NO_THROW(settings.finish());
}

TEST(AdapterSettingsTest, EmptyTextIsAnEmptyObject) {
    AdapterSettings settings("  ", kOrigin);
    EXPECT_EQ(settings.integer("page_size", 7, 1, 10), 7);
    EXPECT_NO_THROW(settings.finish());
}

TEST(AdapterSettingsTest, NullCountsAsAbsent) {
    AdapterSettings settings(R"({"path":null})", kOrigin);
    EXPECT_EQ(settings.optionalString("path", "/x"), "/x");
    EXPECT_NO_THROW(settings.finish());
}

TEST(AdapterSettingsTest, RejectsTextThatIsNotAnObject) {
    EXPECT_EQ(configError([] { AdapterSettings("[1,2]", kOrigin); }),
              "config/sources/police.json: settings: must be an object, not an array");
    EXPECT_EQ(configError([] { AdapterSettings(R"({"url":)", kOrigin); }),
              "config/sources/police.json: settings:1: invalid JSON: Invalid value. (column 8)");
}

TEST(AdapterSettingsTest, RejectsKeysGivenTwice) {
    EXPECT_EQ(configError([] { AdapterSettings(R"({"url":"a","auth":{"type":"none","type":"api_key"}})", kOrigin); }),
              "config/sources/police.json: settings:1: at /auth: duplicate key 'type' (first at line 1)");
    EXPECT_EQ(configError([] { AdapterSettings(R"({"retry":{},"url":"a","retry":{}})", kOrigin); }),
              "config/sources/police.json: settings:1: duplicate key 'retry' (first at line 1)");
}

TEST(AdapterSettingsTest, ReportsMissingKeys) {
    AdapterSettings settings("{}", kOrigin);
    EXPECT_EQ(configError([&] { settings.requiredString("url"); }),
              "config/sources/police.json: settings.url: is required");
    EXPECT_EQ(configError([&] { settings.requiredInteger("port", 1, 65535); }),
              "config/sources/police.json: settings.port: is required");
    EXPECT_EQ(configError([&] {
                  settings.oneOf("mode", {"fast", "slow"});
              }),
              "config/sources/police.json: settings.mode: is required (one of fast, slow)");
    EXPECT_EQ(configError([&] { settings.requiredSecret("key", "key_env"); }),
              "config/sources/police.json: settings.key: is required (or key_env)");
    AdapterSettings auth = settings.object("auth");
    EXPECT_EQ(configError([&] { auth.requiredString("token_url"); }),
              "config/sources/police.json: settings.auth.token_url: is required");
}

TEST(AdapterSettingsTest, ReportsWrongTypesWithoutQuotingValues) {
    AdapterSettings settings(
        R"({"url":42,"page_size":"500","ratio":true,"verify":"yes","tables":["a",1],"headers":{"X":2},"auth":"x",
            "empty":"","big":18446744073709551615,"fraction":2.5})",
        kOrigin);
    EXPECT_EQ(configError([&] { settings.requiredString("url"); }),
              "config/sources/police.json: settings.url: must be a string, not a number");
    EXPECT_EQ(configError([&] { settings.integer("page_size", 100, 1, 1000); }),
              "config/sources/police.json: settings.page_size: must be an integer between 1 and 1000, not a string");
    EXPECT_EQ(configError([&] { settings.integer("fraction", 1, 1, 10); }),
              "config/sources/police.json: settings.fraction: must be an integer between 1 and 10, not a fractional "
              "number");
    EXPECT_EQ(configError([&] { settings.integer("big", 1, 1, 10); }),
              "config/sources/police.json: settings.big: must be between 1 and 10, not 18446744073709551615");
    EXPECT_EQ(configError([&] { settings.number("ratio", 0.5, 0, 1); }),
              "config/sources/police.json: settings.ratio: must be a number between 0 and 1, not a boolean");
    EXPECT_EQ(configError([&] { settings.boolean("verify", true); }),
              "config/sources/police.json: settings.verify: must be true or false, not a string");
    EXPECT_EQ(configError([&] { settings.stringList("tables"); }),
              "config/sources/police.json: settings.tables[1]: must be a string, not a number");
    EXPECT_EQ(configError([&] { settings.stringMap("headers"); }),
              "config/sources/police.json: settings.headers.X: must be a string, not a number");
    EXPECT_EQ(configError([&] { settings.object("auth"); }),
              "config/sources/police.json: settings.auth: must be an object, not a string");
    EXPECT_EQ(configError([&] { settings.requiredString("empty"); }),
              "config/sources/police.json: settings.empty: must not be empty");
}

TEST(AdapterSettingsTest, ReportsValuesOutOfRangeOrChoice) {
    AdapterSettings settings(R"({"page_size":5000,"ratio":1.5,"mode":"fsat"})", kOrigin);
    EXPECT_EQ(configError([&] { settings.integer("page_size", 100, 1, 1000); }),
              "config/sources/police.json: settings.page_size: must be between 1 and 1000, not 5000");
    EXPECT_EQ(configError([&] { settings.number("ratio", 0.5, 0, 1); }),
              "config/sources/police.json: settings.ratio: must be between 0 and 1, not 1.5");
    EXPECT_EQ(configError([&] {
                  settings.oneOf("mode", {"fast", "slow"});
              }),
              "config/sources/police.json: settings.mode: must be one of fast, slow, not 'fsat'");
}

TEST(AdapterSettingsTest, RejectsUnknownKeysNamingTheKnownOnes) {
    AdapterSettings settings(R"({"url":"https://x","pagesize":5})", kOrigin);
    settings.requiredString("url");
    settings.integer("page_size", 100, 1, 1000);
    EXPECT_EQ(
        configError([&] { settings.finish(); }),
        "config/sources/police.json: settings.pagesize: unknown key (did you mean 'page_size'? known: page_size, url)");
}

TEST(AdapterSettingsTest, RejectsUnknownKeysInNestedObjects) {
    AdapterSettings settings(R"({"auth":{"type":"api_key","key":"k","secret":"s"},"headers":{"Anything":"ok"}})",
                             kOrigin);
    settings.stringMap("headers");
    AdapterSettings auth = settings.object("auth");
    auth.oneOf("type", {"none", "api_key"}, "none");
    auth.requiredSecret("key", "key_env");
    const std::string message = configError([&] { settings.finish(); });
    EXPECT_EQ(message, "config/sources/police.json: settings.auth.secret: unknown key (known: key, key_env, type)");
    EXPECT_EQ(message.find("\"k\""), std::string::npos);
}

TEST(AdapterSettingsTest, ReadsSecretsFromTheEnvironment) {
    ::setenv("GATEWAY_TEST_POLICE_KEY", "s3cret", 1);
    ::unsetenv("GATEWAY_TEST_UNSET_KEY");
    AdapterSettings settings(
        R"({"a":{"key_env":"GATEWAY_TEST_POLICE_KEY"},"b":{"key_env":"GATEWAY_TEST_UNSET_KEY"},
            "c":{"key":"x","key_env":"GATEWAY_TEST_POLICE_KEY"},"d":{}})",
        kOrigin);
    EXPECT_EQ(settings.object("a").secret("key", "key_env"), "s3cret");
    AdapterSettings b = settings.object("b");
    EXPECT_EQ(configError([&] { b.secret("key", "key_env"); }),
              "config/sources/police.json: settings.b.key_env: environment variable GATEWAY_TEST_UNSET_KEY is not "
              "set or empty");
    AdapterSettings c = settings.object("c");
    EXPECT_EQ(configError([&] { c.secret("key", "key_env"); }),
              "config/sources/police.json: settings.c.key: give either key or key_env, not both");
    EXPECT_EQ(settings.object("d").secret("key", "key_env"), std::nullopt);
    ::unsetenv("GATEWAY_TEST_POLICE_KEY");
}

TEST(AdapterSettingsTest, FailNamesTheKeyForChecksAcrossKeys) {
    AdapterSettings settings(R"({"tls":{}})", kOrigin);
    AdapterSettings tls = settings.object("tls");
    EXPECT_EQ(configError([&] { tls.fail("client_key", "is required when client_cert is set"); }),
              "config/sources/police.json: settings.tls.client_key: is required when client_cert is set");
    EXPECT_EQ(tls.path("ca_file"), "settings.tls.ca_file");
}

}  // namespace
}  // namespace gateway::adapters
