#include "adapters/rest/rest_adapter.h"

#include "gateway/common/error.h"
#include "tests/support/manual_clock.h"
#include "tests/unit/adapters/scripted_http_server.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <cstdlib>
#include <set>

namespace gateway::adapters {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using testing::ScriptedHttpServer;
using Reply = ScriptedHttpServer::Reply;
using Request = ScriptedHttpServer::Request;

constexpr const char* kApiKey = "police-key-7f3a";

/// Items "P1" … "Pn", one with a name beyond the BMP.
std::vector<std::string> policeItems(int count) {
    std::vector<std::string> items;
    for (int i = 1; i <= count; ++i) {
        items.push_back(R"({"person_id":"P)" + std::to_string(i) + R"(","xm":"张\u5b50𠮷)" + std::to_string(i) +
                        R"(","fq":null})");
    }
    return items;
}

/// The police system's paging: cursor "cN" means N items served; {"data","next_cursor","has_more"}.
Reply policePage(const Request& request, const std::vector<std::string>& items, const std::string& items_field = "data",
                 const std::string& next_field = "next_cursor", const std::string& cursor_param = "cursor",
                 const std::string& limit_param = "limit") {
    std::size_t offset = 0;
    const std::string cursor = request.param(cursor_param);
    if (!cursor.empty()) {
        offset = std::stoul(cursor.substr(1));
    }
    const std::size_t limit = request.hasParam(limit_param) ? std::stoul(request.param(limit_param)) : 100;
    const std::size_t end = std::min(items.size(), offset + limit);
    std::string body = "{\"" + items_field + "\":[";
    for (std::size_t i = offset; i < end; ++i) {
        body += (i == offset ? "" : ",") + items[i];
    }
    std::string next = "null";
    if (end > offset) {
        next = "\"c" + std::to_string(end) + "\"";
    } else if (!cursor.empty()) {
        next = "\"" + cursor + "\"";
    }
    body += "],\"" + next_field + "\":" + next + ",\"has_more\":" + (end < items.size() ? "true" : "false") + "}";
    return Reply{200, body};
}

std::string policeSettings(const std::string& url, const std::string& extra = "") {
    return R"({"url":")" + url + R"(","path":"/police/v1/persons","page_size":2,
        "auth":{"type":"api_key","header":"X-API-Key","key":")" +
           kApiKey + R"("},"retry":{"max_attempts":4,"base_delay_ms":100,"max_delay_ms":1000})" + extra + "}";
}

class RestAdapterTest : public ::testing::Test {
protected:
    std::unique_ptr<RestAdapter> openAdapter(const std::string& settings_json,
                                             const std::string& source = "police_population") {
        RestEnvironment environment;
        environment.clock = &clock_;
        environment.sleeper = [this](milliseconds delay) { sleeps_.push_back(delay); };
        environment.seed = 42;
        auto adapter = std::make_unique<RestAdapter>(environment);
        adapter->open(AdapterConfig{source, settings_json, "config/sources/" + source + ".json", ""});
        return adapter;
    }

    static GatewayError pullError(RestAdapter& adapter, const std::optional<std::string>& since = std::nullopt) {
        try {
            adapter.pull(since, 100);
        } catch (const GatewayError& e) {
            return e;
        }
        ADD_FAILURE() << "pull did not throw";
        return GatewayError(ErrorCode::Internal, "no error");
    }

    testing::ManualClock clock_;
    std::vector<milliseconds> sleeps_;
};

TEST_F(RestAdapterTest, PagesThroughEverythingSendingTheApiKey) {
    const auto items = policeItems(5);
    ScriptedHttpServer server([&](const Request& request) { return policePage(request, items); });
    auto adapter = openAdapter(policeSettings(server.url()));

    const PullBatch batch = adapter->pull(std::nullopt, 100);

    ASSERT_EQ(batch.rows.size(), 5u);
    EXPECT_EQ(batch.watermark, "c5");
    EXPECT_FALSE(batch.more);
    EXPECT_EQ(batch.rows[0].locator, "page cursor=(start) item 1");
    EXPECT_EQ(batch.rows[2].locator, "page cursor=c2 item 1");
    EXPECT_EQ(batch.rows[4].locator, "page cursor=c4 item 1");
    EXPECT_EQ(batch.rows[0].json, R"({"person_id":"P1","xm":"张子𠮷1","fq":null})");
    EXPECT_TRUE(batch.rows[0].error.empty());
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& request : requests) {
        EXPECT_EQ(request.path, "/police/v1/persons");
        EXPECT_EQ(request.header("X-API-Key"), kApiKey);
        EXPECT_EQ(request.param("limit"), "2");
    }
    EXPECT_FALSE(requests[0].hasParam("cursor"));
    EXPECT_EQ(requests[1].param("cursor"), "c2");
    EXPECT_EQ(requests[2].param("cursor"), "c4");
    // The payload is the bodies as received, one per line, so every row can be traced back to its bytes.
    EXPECT_EQ(std::count(batch.payload.begin(), batch.payload.end(), '\n'), 2);
    EXPECT_EQ(batch.payload.substr(0, batch.payload.find('\n')), policePage(requests[0], items).body);
    EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RestAdapterTest, KeepsBatchesWithinMaxRecordsAndResumesFromTheWatermark) {
    const auto items = policeItems(5);
    ScriptedHttpServer server([&](const Request& request) { return policePage(request, items); });
    auto adapter = openAdapter(policeSettings(server.url()));

    const PullBatch first = adapter->pull(std::nullopt, 3);
    ASSERT_EQ(first.rows.size(), 3u);
    EXPECT_EQ(first.watermark, "c3");
    EXPECT_TRUE(first.more);
    EXPECT_EQ(server.requests()[1].param("limit"), "1") << "the last page is asked for no more than fits";

    const PullBatch second = adapter->pull(first.watermark, 3);
    ASSERT_EQ(second.rows.size(), 2u);
    EXPECT_EQ(second.rows[0].locator, "page cursor=c3 item 1");
    EXPECT_NE(second.rows[0].json.find("\"P4\""), std::string::npos);
    EXPECT_EQ(second.watermark, "c5");
    EXPECT_FALSE(second.more);

    // A fresh adapter (a restart) resuming from the stored watermark gets nothing again.
    auto restarted = openAdapter(policeSettings(server.url()));
    const PullBatch third = restarted->pull(std::string("c5"), 3);
    EXPECT_TRUE(third.rows.empty());
    EXPECT_EQ(third.watermark, "c5");
    EXPECT_FALSE(third.more);
}

TEST_F(RestAdapterTest, AnEmptySourceLeavesTheWatermarkEmpty) {
    ScriptedHttpServer server([](const Request& request) { return policePage(request, {}); });
    auto adapter = openAdapter(policeSettings(server.url()));
    const PullBatch batch = adapter->pull(std::nullopt, 10);
    EXPECT_TRUE(batch.rows.empty());
    EXPECT_EQ(batch.watermark, "");
    EXPECT_FALSE(batch.more);
}

TEST_F(RestAdapterTest, SendsUpdatedSinceOnlyWithoutACursor) {
    const auto items = policeItems(3);
    ScriptedHttpServer server([&](const Request& request) { return policePage(request, items); });
    auto adapter = openAdapter(policeSettings(server.url(), R"(,"updated_since":"2026-01-01T00:00:00Z")"));
    adapter->pull(std::nullopt, 100);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].param("updated_since"), "2026-01-01T00:00:00Z");
    EXPECT_FALSE(requests[1].hasParam("updated_since"));
}

TEST_F(RestAdapterTest, RetriesA500ThenSucceeds) {
    const auto items = policeItems(1);
    int calls = 0;
    ScriptedHttpServer server([&](const Request& request) {
        return ++calls == 1 ? Reply{500, R"({"error":"internal"})"} : policePage(request, items);
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    EXPECT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(server.requestCount(), 2u);
    ASSERT_EQ(sleeps_.size(), 1u);
    EXPECT_LE(sleeps_[0], 100ms) << "the first retry waits at most the base delay";
    EXPECT_EQ(adapter->breaker()->state(), net::CircuitBreaker::State::Closed);
}

TEST_F(RestAdapterTest, HonoursRetryAfterOn429) {
    const auto items = policeItems(1);
    int calls = 0;
    ScriptedHttpServer server([&](const Request& request) {
        return ++calls == 1 ? Reply{429, R"({"error":"slow down"})", {{"Retry-After", "2"}}}
                            : policePage(request, items);
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    EXPECT_EQ(adapter->pull(std::nullopt, 100).rows.size(), 1u);
    EXPECT_EQ(sleeps_, (std::vector<milliseconds>{2000ms}));
}

TEST_F(RestAdapterTest, HonoursRetryAfterGivenAsAnHttpDate) {
    const auto items = policeItems(1);
    int calls = 0;
    ScriptedHttpServer server([&](const Request& request) {
        return ++calls == 1 ? Reply{503, "{}", {{"Retry-After", "Sun, 01 Nov 2026 08:00:05 GMT"}}}
                            : policePage(request, items);
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    EXPECT_EQ(adapter->pull(std::nullopt, 100).rows.size(), 1u);
    EXPECT_EQ(sleeps_, (std::vector<milliseconds>{5000ms}));
}

TEST_F(RestAdapterTest, SendsABearerTokenFromTheEnvironment) {
    ::setenv("GATEWAY_TEST_BEARER", "bearer-token-1", 1);
    ScriptedHttpServer server([](const Request& request) { return policePage(request, policeItems(1)); });
    auto adapter = openAdapter(R"({"url":")" + server.url() +
                               R"(","auth":{"type":"bearer","token_env":"GATEWAY_TEST_BEARER"},
                                   "headers":{"Accept-Language":"zh-CN"},"query":{"dept":"police"}})");
    ::unsetenv("GATEWAY_TEST_BEARER");
    adapter->pull(std::nullopt, 100);
    const Request request = server.requests().at(0);
    EXPECT_EQ(request.header("Authorization"), "Bearer bearer-token-1");
    EXPECT_EQ(request.header("Accept-Language"), "zh-CN");
    EXPECT_EQ(request.param("dept"), "police");
    EXPECT_EQ(request.param("limit"), "100");
}

TEST_F(RestAdapterTest, EscapesOpaqueCursors) {
    ScriptedHttpServer server([](const Request&) {
        return Reply{200, R"({"data":[],"next_cursor":"a+b/c=&d","has_more":false})"};
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    const PullBatch batch = adapter->pull(std::string("a+b/c=&d"), 10);
    EXPECT_EQ(server.requests().at(0).param("cursor"), "a+b/c=&d");
    EXPECT_EQ(batch.watermark, "a+b/c=&d");
}

TEST_F(RestAdapterTest, AServerThatStaysDownIsUnavailableAfterAllAttempts) {
    ScriptedHttpServer server([](const Request&) { return Reply{503, R"({"error":"maintenance"})"}; });
    auto adapter = openAdapter(policeSettings(server.url()));
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceUnavailable);
    EXPECT_EQ(error.message(), "police_population: GET " + server.url() +
                                   "/police/v1/persons at cursor (start): failed after 4 attempts: HTTP 503: "
                                   "\"{\\\"error\\\":\\\"maintenance\\\"}\"");
    EXPECT_EQ(server.requestCount(), 4u);
    EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(RestAdapterTest, AnUnreachableServerIsUnavailable) {
    std::string url;
    {
        Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
        url = "http://127.0.0.1:" + std::to_string(closed.address().port());
    }
    auto adapter = openAdapter(policeSettings(url, R"(,"timeouts":{"connect_ms":2000,"total_ms":5000})"));
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceUnavailable);
    EXPECT_NE(error.message().find("failed after 4 attempts"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find(url), std::string::npos) << error.message();
}

TEST_F(RestAdapterTest, TheBreakerRefusesWhileOpenAndLetsATrialThroughAfterTheCoolDown) {
    const auto items = policeItems(1);
    bool down = true;
    ScriptedHttpServer server([&](const Request& request) {
        return down ? Reply{503, "{}"} : policePage(request, items);
    });
    auto adapter =
        openAdapter(policeSettings(server.url(), R"(,"breaker":{"failure_threshold":4,"cool_down_ms":60000})"));
    EXPECT_EQ(pullError(*adapter).code(), ErrorCode::SourceUnavailable);
    ASSERT_EQ(server.requestCount(), 4u);
    EXPECT_EQ(adapter->breaker()->state(), net::CircuitBreaker::State::Open);

    const GatewayError refused = pullError(*adapter);
    EXPECT_EQ(refused.code(), ErrorCode::SourceUnavailable);
    EXPECT_NE(refused.message().find("circuit breaker open after 4 consecutive failures; next trial at "
                                     "2026-11-01T08:01:00Z"),
              std::string::npos)
        << refused.message();
    EXPECT_EQ(server.requestCount(), 4u) << "an open breaker does not call the source";

    down = false;
    clock_.advance(60s);
    EXPECT_EQ(adapter->pull(std::nullopt, 100).rows.size(), 1u);
    EXPECT_EQ(adapter->breaker()->state(), net::CircuitBreaker::State::Closed);
}

TEST_F(RestAdapterTest, TruncatedJsonIsRetriedThenASourceError) {
    ScriptedHttpServer server([](const Request&) { return Reply{200, R"({"data":[{"person_id":"P1","xm":"张)"}; });
    auto adapter = openAdapter(policeSettings(server.url()));
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("failed after 4 attempts: the body is not valid JSON"), std::string::npos)
        << error.message();
    EXPECT_NE(error.message().find("it may have been truncated"), std::string::npos);
    EXPECT_EQ(server.requestCount(), 4u);
}

TEST_F(RestAdapterTest, ATruncatedBodyThatRecoversIsServedWhole) {
    const auto items = policeItems(2);
    int calls = 0;
    ScriptedHttpServer server([&](const Request& request) {
        Reply reply = policePage(request, items);
        ++calls;
        if (calls == 1) {
            reply.body.resize(reply.body.size() / 2);  // cut mid-JSON, length consistent
        } else if (calls == 2) {
            reply.declared_length = reply.body.size();  // cut mid-transfer, connection closed
            reply.body.resize(reply.body.size() / 2);
        }
        return reply;
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    EXPECT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(server.requestCount(), 3u);
    EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(RestAdapterTest, AWrongApiKeyIsASourceErrorNaming401AndIsNotRetried) {
    ScriptedHttpServer server([](const Request&) { return Reply{401, R"({"error":"invalid api key"})"}; });
    auto adapter = openAdapter(policeSettings(server.url()));
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_EQ(error.message(), "police_population: GET " + server.url() +
                                   "/police/v1/persons: HTTP 401: \"{\\\"error\\\":\\\"invalid api key\\\"}\" (the "
                                   "source refused the credentials)");
    EXPECT_EQ(error.message().find(kApiKey), std::string::npos) << "the key is never in a message";
    EXPECT_EQ(server.requestCount(), 1u);
    EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RestAdapterTest, OtherClientErrorsAreNotRetried) {
    ScriptedHttpServer server([](const Request&) { return Reply{400, R"({"error":"bad limit"})"}; });
    auto adapter = openAdapter(policeSettings(server.url()));
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("HTTP 400"), std::string::npos);
    EXPECT_EQ(server.requestCount(), 1u);
}

TEST_F(RestAdapterTest, ARepeatedPageIsRetriedAndNeverDuplicatesRows) {
    const auto items = policeItems(6);
    bool repeated = false;
    ScriptedHttpServer server([&](const Request& request) {
        Reply reply = policePage(request, items);
        if (request.param("cursor") == "c2" && !repeated) {
            // The page at c2, but handing back c2 as its next cursor.
            repeated = true;
            reply.body.replace(reply.body.find("\"c4\""), 4, "\"c2\"");
        }
        return reply;
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    std::set<std::string> seen;
    std::size_t rows = 0;
    std::optional<std::string> watermark;
    PullBatch batch;
    do {
        batch = adapter->pull(watermark, 2);
        for (const auto& row : batch.rows) {
            seen.insert(row.json);
            ++rows;
        }
        watermark = batch.watermark;
    } while (batch.more);
    EXPECT_TRUE(repeated);
    EXPECT_EQ(rows, 6u);
    EXPECT_EQ(seen.size(), 6u);
    EXPECT_EQ(watermark, "c6");
    EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(RestAdapterTest, APageThatKeepsRepeatingIsASourceError) {
    ScriptedHttpServer server([](const Request&) {
        return Reply{200, R"({"data":[{"person_id":"P1"}],"next_cursor":"c0","has_more":true})"};
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    const GatewayError error = pullError(*adapter, std::string("c0"));
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("failed after 4 attempts: the page returned the cursor it was asked with (c0) as "
                                   "its next cursor: a repeated page"),
              std::string::npos)
        << error.message();
}

TEST_F(RestAdapterTest, AnOversizedBodyIsASourceErrorAndIsNotRetried) {
    bool chunked = false;
    ScriptedHttpServer server([&](const Request&) {
        Reply reply{200,
                    R"({"data":[{"pad":")" + std::string(4096, 'x') + R"("}],"next_cursor":"c1","has_more":false})"};
        reply.chunked = chunked;
        return reply;
    });
    auto adapter = openAdapter(policeSettings(server.url(), R"(,"max_body_bytes":1024)"));
    GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("exceeds max_body_bytes (1024 bytes)"), std::string::npos) << error.message();
    EXPECT_EQ(server.requestCount(), 1u);

    chunked = true;  // no Content-Length: the limit is enforced while reading
    error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("exceeds max_body_bytes (1024 bytes)"), std::string::npos) << error.message();
    EXPECT_EQ(server.requestCount(), 2u);
}

TEST_F(RestAdapterTest, APageNestedBeyondTheLimitFailsTheBatchAtOnceAndTheNextPullGoesOn) {
    // {"data":[{"x":[…]}]} is 3 levels before the brackets: 61 brackets reach the limit of 64, 62 pass it.
    std::size_t brackets = 300000;
    ScriptedHttpServer server([&](const Request&) {
        return Reply{200, R"({"data":[{"x":)" + std::string(brackets, '[') + std::string(brackets, ']') +
                              R"(}],"next_cursor":"c1","has_more":false})"};
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("the body nests deeper than 64 levels at byte"), std::string::npos)
        << error.message();
    EXPECT_EQ(server.requestCount(), 1u) << "the same page would come again: no retry";

    brackets = 62;
    error = pullError(*adapter);
    EXPECT_NE(error.message().find("nests deeper than 64 levels"), std::string::npos) << error.message();
    brackets = 61;
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_TRUE(batch.rows[0].error.empty()) << batch.rows[0].error;
    EXPECT_EQ(batch.watermark, "c1");
}

TEST_F(RestAdapterTest, ItemsThatAreNotObjectsBecomeRowErrors) {
    ScriptedHttpServer server([](const Request&) {
        return Reply{200, R"({"data":[{"person_id":"P1"},42,"x"],"next_cursor":"c3","has_more":false})"};
    });
    auto adapter = openAdapter(policeSettings(server.url()));
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    ASSERT_EQ(batch.rows.size(), 3u);
    EXPECT_TRUE(batch.rows[0].error.empty());
    EXPECT_EQ(batch.rows[1].error, "the item is a number, not a JSON object");
    EXPECT_EQ(batch.rows[1].raw, "42");
    EXPECT_TRUE(batch.rows[1].json.empty());
    EXPECT_EQ(batch.rows[2].locator, "page cursor=(start) item 3");
    EXPECT_EQ(batch.watermark, "c3");
}

TEST_F(RestAdapterTest, ABodyWithoutTheItemsArrayIsASourceError) {
    ScriptedHttpServer server([](const Request&) { return Reply{200, R"({"records":[]})"}; });
    auto adapter = openAdapter(R"({"url":")" + server.url() + R"(","retry":{"max_attempts":2,"base_delay_ms":10}})");
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("failed after 2 attempts: the body has no array at /data"), std::string::npos)
        << error.message();
}

/// The civil affairs system: OAuth2 client credentials, {"records","next","has_more"}, `since` and `page_size`.
class CivilRescue {
public:
    explicit CivilRescue(int cases) : items_(policeItems(cases)) {}

    Reply operator()(const Request& request) {
        if (request.path == "/oauth/token") {
            token_requests.push_back(request);
            if (request.body.find("client_secret=civil-secret") == std::string::npos) {
                return Reply{401, R"({"error":"invalid_client"})"};
            }
            current_token = "token-" + std::to_string(token_requests.size());
            return Reply{200, R"({"access_token":")" + current_token + R"(","token_type":"Bearer","expires_in":600})"};
        }
        if (request.header("Authorization") != "Bearer " + current_token || expire_next) {
            expire_next = false;
            return Reply{401, R"({"error":"invalid_token"})"};
        }
        return policePage(request, items_, "records", "next", "since", "page_size");
    }

    std::vector<Request> token_requests;
    std::string current_token = "none";
    bool expire_next = false;

private:
    std::vector<std::string> items_;
};

std::string civilSettings(const std::string& url, const std::string& secret = "civil-secret") {
    return R"({"url":")" + url + R"(","path":"/civil/v1/cases","items":"/records","next_cursor":"/next",
        "has_more":"/has_more","cursor_param":"since","limit_param":"page_size","updated_since_param":"",
        "page_size":2,"auth":{"type":"oauth2_client_credentials","token_url":"/oauth/token",
        "client_id":"gateway","client_secret":")" +
           secret + R"("}})";
}

TEST_F(RestAdapterTest, ATokenReplyNestedBeyondTheLimitIsASourceErrorWithoutACrash) {
    ScriptedHttpServer server([](const Request& request) {
        if (request.path == "/oauth/token") {
            return Reply{200,
                         R"({"access_token":"t","x":)" + std::string(300000, '[') + std::string(300000, ']') + "}"};
        }
        return Reply{200, R"({"records":[],"next":null,"has_more":false})"};
    });
    auto adapter = openAdapter(civilSettings(server.url()), "civil_rescue");
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("the response nests deeper than 64 levels"), std::string::npos) << error.message();
    EXPECT_EQ(server.requestCount(), 1u) << "no page is asked for without a token";
}

TEST_F(RestAdapterTest, FetchesAnOAuthTokenOnceAndUsesItForEveryPage) {
    CivilRescue civil(5);
    ScriptedHttpServer server(std::ref(civil));
    auto adapter = openAdapter(civilSettings(server.url()), "civil_rescue");
    const PullBatch batch = adapter->pull(std::nullopt, 100);
    EXPECT_EQ(batch.rows.size(), 5u);
    EXPECT_EQ(batch.watermark, "c5");
    ASSERT_EQ(civil.token_requests.size(), 1u);
    EXPECT_EQ(civil.token_requests[0].method, "POST");
    EXPECT_EQ(civil.token_requests[0].body,
              "grant_type=client_credentials&client_id=gateway&client_secret=civil-secret");
    EXPECT_EQ(server.requests()[2].param("since"), "c2");
    EXPECT_EQ(server.requests()[2].param("page_size"), "2");
}

TEST_F(RestAdapterTest, RefreshesTheTokenOnceOn401AndRetriesTheRequest) {
    CivilRescue civil(1);
    ScriptedHttpServer server(std::ref(civil));
    auto adapter = openAdapter(civilSettings(server.url()), "civil_rescue");
    adapter->pull(std::nullopt, 100);
    civil.expire_next = true;
    const PullBatch batch = adapter->pull(std::string("c0"), 100);
    EXPECT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(civil.token_requests.size(), 2u);
    EXPECT_TRUE(sleeps_.empty()) << "a refresh is not a retry";
}

TEST_F(RestAdapterTest, RenewsTheTokenBeforeItExpires) {
    CivilRescue civil(1);
    ScriptedHttpServer server(std::ref(civil));
    auto adapter = openAdapter(civilSettings(server.url()), "civil_rescue");
    adapter->pull(std::nullopt, 100);
    clock_.advance(569s);
    adapter->pull(std::nullopt, 100);
    EXPECT_EQ(civil.token_requests.size(), 1u);
    clock_.advance(2s);  // 571 s: within the last 30 s of a 600 s token
    adapter->pull(std::nullopt, 100);
    EXPECT_EQ(civil.token_requests.size(), 2u);
}

TEST_F(RestAdapterTest, ATokenThatIsRefusedAgainIsASourceError) {
    CivilRescue civil(1);
    ScriptedHttpServer server([&](const Request& request) {
        Reply reply = civil(request);
        return request.path == "/oauth/token" ? reply : Reply{401, R"({"error":"invalid_token"})"};
    });
    auto adapter = openAdapter(civilSettings(server.url()), "civil_rescue");
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_NE(error.message().find("HTTP 401"), std::string::npos) << error.message();
    EXPECT_EQ(civil.token_requests.size(), 2u) << "one refresh per request, no more";
}

TEST_F(RestAdapterTest, RefusedClientCredentialsAreASourceErrorWithoutTheSecret) {
    CivilRescue civil(1);
    ScriptedHttpServer server(std::ref(civil));
    auto adapter = openAdapter(civilSettings(server.url(), "wrong-secret"), "civil_rescue");
    const GatewayError error = pullError(*adapter);
    EXPECT_EQ(error.code(), ErrorCode::SourceError);
    EXPECT_EQ(error.message(), "civil_rescue: POST " + server.url() +
                                   "/oauth/token: HTTP 401: \"{\\\"error\\\":\\\"invalid_client\\\"}\" (the token "
                                   "endpoint refused the client credentials)");
    EXPECT_EQ(error.message().find("wrong-secret"), std::string::npos);
}

}  // namespace
}  // namespace gateway::adapters
