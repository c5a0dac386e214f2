#include "adapters/rest/rest_settings.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace gateway::adapters {
namespace {

using namespace std::chrono_literals;

RestSettings parse(const std::string& json) {
    return parseRestSettings(AdapterConfig{"police_population", json, "config/sources/police.json", ""});
}

std::string parseError(const std::string& json) {
    try {
        parse(json);
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        return e.message();
    }
    ADD_FAILURE() << "no error for " << json;
    return {};
}

TEST(RestSettingsTest, ParsesThePoliceSettings) {
    ::setenv("GATEWAY_TEST_POLICE_API_KEY", "k-123", 1);
    const RestSettings settings = parse(R"({
        "url": "https://police.example.gov.cn:8443/",
        "path": "/police/v1/persons",
        "items": "/data", "next_cursor": "/next_cursor", "has_more": "/has_more",
        "cursor_param": "cursor", "limit_param": "limit", "updated_since_param": "updated_since",
        "updated_since": "2026-01-01T00:00:00Z",
        "page_size": 1000,
        "auth": {"type": "api_key", "header": "X-API-Key", "key_env": "GATEWAY_TEST_POLICE_API_KEY"},
        "timeouts": {"connect_ms": 5000, "total_ms": 120000},
        "retry": {"max_attempts": 6, "base_delay_ms": 250, "max_delay_ms": 20000, "max_retry_after_ms": 300000},
        "breaker": {"failure_threshold": 10, "cool_down_ms": 60000},
        "max_body_bytes": 16777216,
        "headers": {"Accept-Language": "zh-CN"}
    })");
    ::unsetenv("GATEWAY_TEST_POLICE_API_KEY");
    EXPECT_EQ(settings.url, "https://police.example.gov.cn:8443");
    EXPECT_EQ(settings.path, "/police/v1/persons");
    EXPECT_EQ(settings.page_size, 1000u);
    EXPECT_EQ(settings.auth.type, RestAuthType::ApiKey);
    EXPECT_EQ(settings.auth.header, "X-API-Key");
    EXPECT_EQ(settings.auth.secret, "k-123");
    EXPECT_EQ(settings.updated_since, "2026-01-01T00:00:00Z");
    EXPECT_EQ(settings.connect_timeout, 5000ms);
    EXPECT_EQ(settings.total_timeout, 120000ms);
    EXPECT_EQ(settings.retry.max_attempts, 6);
    EXPECT_EQ(settings.retry.base_delay, 250ms);
    EXPECT_EQ(settings.retry.max_delay, 20000ms);
    EXPECT_EQ(settings.retry.max_retry_after, 300000ms);
    EXPECT_EQ(settings.breaker.failure_threshold, 10);
    EXPECT_EQ(settings.breaker.cool_down, 60000ms);
    EXPECT_EQ(settings.max_body_bytes, 16777216u);
    EXPECT_EQ(settings.headers.at("Accept-Language"), "zh-CN");
    EXPECT_TRUE(settings.tls.verify);
}

TEST(RestSettingsTest, DefaultsFollowThePoliceConventions) {
    const RestSettings settings = parse(R"({"url":"http://127.0.0.1:8080"})");
    EXPECT_EQ(settings.items_pointer, "/data");
    EXPECT_EQ(settings.next_cursor_pointer, "/next_cursor");
    EXPECT_EQ(settings.has_more_pointer, "/has_more");
    EXPECT_EQ(settings.cursor_param, "cursor");
    EXPECT_EQ(settings.limit_param, "limit");
    EXPECT_EQ(settings.page_size, 100u);
    EXPECT_EQ(settings.auth.type, RestAuthType::None);
    EXPECT_EQ(settings.max_body_bytes, 64u << 20);
    EXPECT_EQ(settings.retry.max_attempts, 4);
    EXPECT_TRUE(settings.tls.verify);
}

TEST(RestSettingsTest, ParsesTheCivilRescueSettingsWithARelativeTokenUrl) {
    ::setenv("GATEWAY_TEST_CIVIL_SECRET", "s-456", 1);
    const RestSettings settings = parse(R"({
        "url": "https://civil.example.gov.cn", "path": "/civil/v1/cases",
        "items": "/records", "next_cursor": "/next", "cursor_param": "since", "limit_param": "page_size",
        "updated_since_param": "",
        "auth": {"type": "oauth2_client_credentials", "token_url": "/oauth/token", "client_id": "gateway",
                 "secret_env": "GATEWAY_TEST_CIVIL_SECRET", "scope": "cases:read"}
    })");
    ::unsetenv("GATEWAY_TEST_CIVIL_SECRET");
    EXPECT_EQ(settings.auth.type, RestAuthType::OAuth2ClientCredentials);
    EXPECT_EQ(settings.auth.token_url, "https://civil.example.gov.cn/oauth/token");
    EXPECT_EQ(settings.auth.client_id, "gateway");
    EXPECT_EQ(settings.auth.secret, "s-456");
    EXPECT_EQ(settings.auth.scope, "cases:read");
    EXPECT_EQ(settings.items_pointer, "/records");
    EXPECT_EQ(settings.cursor_param, "since");
}

TEST(RestSettingsTest, ReadsTlsFiles) {
    testing::TempDir dir;
    testing::writeFile(dir.file("ca.pem"), "x");
    testing::writeFile(dir.file("client.pem"), "x");
    testing::writeFile(dir.file("client.key"), "x");
    const RestSettings settings =
        parse(R"({"url":"https://h","tls":{"ca_file":")" + dir.file("ca.pem") + R"(","client_cert":")" +
              dir.file("client.pem") + R"(","client_key":")" + dir.file("client.key") + R"("}})");
    EXPECT_EQ(settings.tls.ca_file, dir.file("ca.pem"));
    EXPECT_EQ(settings.tls.client_cert, dir.file("client.pem"));
    EXPECT_EQ(settings.tls.client_key, dir.file("client.key"));
    EXPECT_EQ(parseError(R"({"url":"https://h","tls":{"client_cert":")" + dir.file("client.pem") + R"("}})"),
              "config/sources/police.json: settings.tls.client_key: is required when client_cert or client_key is "
              "set");
    EXPECT_EQ(parseError(R"({"url":"https://h","tls":{"ca_file":"/nonexistent/ca.pem"}})"),
              "config/sources/police.json: settings.tls.ca_file: cannot read /nonexistent/ca.pem");
}

TEST(RestSettingsTest, ReportsMissingKeys) {
    EXPECT_EQ(parseError("{}"), "config/sources/police.json: settings.url: is required");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"api_key"}})"),
              "config/sources/police.json: settings.auth.key: is required (or key_env)");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"bearer"}})"),
              "config/sources/police.json: settings.auth.token: is required (or token_env)");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"oauth2_client_credentials","token_url":"/t",
                            "client_id":"c"}})"),
              "config/sources/police.json: settings.auth.client_secret: is required (or secret_env)");
}

TEST(RestSettingsTest, PlainHttpTokenUrlsAndUncheckedCertificatesOnlyWhenSaidTwice) {
    const RestSettings local =
        parseRestSettings({"police_population",
                           R"({"url":"http://127.0.0.1:8091","auth":{"type":"oauth2_client_credentials",
             "token_url":"http://[::1]:8091/token","client_id":"c","client_secret":"s"}})",
                           "config/sources/police.json", ""});
    EXPECT_EQ(local.auth.token_url, "http://[::1]:8091/token");
    const RestSettings unchecked = parseRestSettings(
        {"police_population", R"({"url":"https://h","tls":{"verify":false,"insecure_skip_verify":true}})",
         "config/sources/police.json", ""});
    EXPECT_FALSE(unchecked.tls.verify);
    const RestSettings checked =
        parseRestSettings({"police_population", R"({"url":"https://h","tls":{"insecure_skip_verify":true}})",
                           "config/sources/police.json", ""});
    EXPECT_TRUE(checked.tls.verify) << "the second setting alone turns nothing off";
}

TEST(RestSettingsTest, ReportsInvalidValues) {
    EXPECT_EQ(parseError(R"({"url":"ftp://h"})"),
              "config/sources/police.json: settings.url: must start with https:// (or http:// to a loopback "
              "address)");
    EXPECT_EQ(parseError(R"({"url":"http://police.example.gov.cn"})"),
              "config/sources/police.json: settings.url: plain http:// is allowed only to a loopback address; use "
              "https://");
    EXPECT_EQ(parseError(R"({"url":"https://h","path":"persons"})"),
              "config/sources/police.json: settings.path: must start with /");
    EXPECT_EQ(parseError(R"({"url":"https://h","page_size":0})"),
              "config/sources/police.json: settings.page_size: must be between 1 and 100000, not 0");
    EXPECT_EQ(parseError(R"({"url":"https://h","items":"data"})"),
              "config/sources/police.json: settings.items: must be a JSON pointer such as \"/data\"");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"basic"}})"),
              "config/sources/police.json: settings.auth.type: must be one of none, api_key, bearer, "
              "oauth2_client_credentials, not 'basic'");
    EXPECT_EQ(parseError(R"({"url":"https://h","retry":{"base_delay_ms":5000,"max_delay_ms":100}})"),
              "config/sources/police.json: settings.retry.max_delay_ms: must not be less than base_delay_ms");
    EXPECT_EQ(parseError(R"({"url":"https://h","tls":{"verify":"no"}})"),
              "config/sources/police.json: settings.tls.verify: must be true or false, not a string");
    // A name that only looks local is resolved by DNS like any other.
    EXPECT_EQ(parseError(R"({"url":"http://127.attacker.example"})"),
              "config/sources/police.json: settings.url: plain http:// is allowed only to a loopback address; use "
              "https://");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"oauth2_client_credentials",
                            "token_url":"http://sso.example.gov.cn/token","client_id":"c","client_secret":"s"}})"),
              "config/sources/police.json: settings.auth.token_url: plain http:// is allowed only to a loopback "
              "address; use https://");
    EXPECT_EQ(parseError(R"({"url":"https://h","tls":{"verify":false}})"),
              "config/sources/police.json: settings.tls.verify: false sends the data to a server nobody checked; "
              "set \"insecure_skip_verify\": true as well to really do so (warned at every start), or give the "
              "server's CA in ca_file");
    ::unsetenv("GATEWAY_TEST_UNSET");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"bearer","token_env":"GATEWAY_TEST_UNSET"}})"),
              "config/sources/police.json: settings.auth.token_env: environment variable GATEWAY_TEST_UNSET is not "
              "set or empty");
}

TEST(RestSettingsTest, RejectsUnknownKeys) {
    EXPECT_EQ(parseError(R"({"url":"https://h","pagesize":10})"),
              "config/sources/police.json: settings.pagesize: unknown key (did you mean 'page_size'? known: auth, "
              "breaker, cursor_param, "
              "has_more, headers, items, limit_param, max_body_bytes, next_cursor, page_size, path, query, retry, "
              "timeouts, tls, updated_since, updated_since_param, url)");
    EXPECT_EQ(parseError(R"({"url":"https://h","auth":{"type":"api_key","key":"k","client_id":"x"}})"),
              "config/sources/police.json: settings.auth.client_id: unknown key (known: header, key, key_env, type)");
    EXPECT_EQ(parseError(R"({"url":"https://h","retry":{"attempts":3}})"),
              "config/sources/police.json: settings.retry.attempts: unknown key (known: base_delay_ms, max_attempts, "
              "max_delay_ms, max_retry_after_ms)");
}

}  // namespace
}  // namespace gateway::adapters
