#include "gateway/api/router.h"
#include "gateway/api/api_server.h"
#include "gateway/api/openapi.h"
#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

namespace gateway::api {
namespace {

Router sampleRouter() {
    Router router;
    router.add({"GET", "/v1/profiles/{id}", "one profile",
                [](const Request& r) { return jsonResponse(200, "{\"id\":\"" + r.path_params.at("id") + "\"}"); }});
    router.add({"GET", "/v1/profiles", "list", [](const Request&) { return jsonResponse(200, "[]"); }});
    router.add({"POST", "/v1/profiles", "create", [](const Request&) { return jsonResponse(201, "{}"); }});
    router.add({"GET", "/v1/fail", "fails",
                [](const Request&) -> Response { throw GatewayError(ErrorCode::Conflict, "changed meanwhile"); }});
    return router;
}

Request request(std::string method, std::string path) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    return r;
}

TEST(RouterTest, CapturesPathParameters) {
    const Router router = sampleRouter();
    const auto match = router.match("GET", "/v1/profiles/P123");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.route->summary, "one profile");
    EXPECT_EQ(match.path_params.at("id"), "P123");
}

TEST(RouterTest, TellsNotFoundFromMethodNotAllowed) {
    const Router router = sampleRouter();
    EXPECT_EQ(dispatch(router, request("GET", "/v1/nothing")).status, 404);
    const auto response = dispatch(router, request("DELETE", "/v1/profiles"));
    EXPECT_EQ(response.status, 405);
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].first, "Allow");
    EXPECT_EQ(response.headers[0].second, "GET, POST");
}

TEST(RouterTest, DoesNotMatchAcrossSegmentsOrTrailingSlash) {
    const Router router = sampleRouter();
    EXPECT_EQ(router.match("GET", "/v1/profiles/a/b").route, nullptr);
    EXPECT_EQ(router.match("GET", "/v1/profiles/").route, nullptr);
    EXPECT_EQ(router.match("GET", "/v1/profile").route, nullptr);
    EXPECT_EQ(router.match("GET", "").route, nullptr);
}

TEST(RouterTest, HeadIsAnsweredByTheGetRoute) {
    const Router router = sampleRouter();
    EXPECT_EQ(dispatch(router, request("HEAD", "/v1/profiles")).status, 200);
}

TEST(RouterTest, ErrorsRenderAsTheJsonContract) {
    const Router router = sampleRouter();
    const auto response = dispatch(router, request("GET", "/v1/nothing\xff\x01"));
    rapidjson::Document body;
    body.Parse(response.body.c_str());
    ASSERT_FALSE(body.HasParseError()) << response.body;
    EXPECT_STREQ(body["error"]["code"].GetString(), "not_found");
    EXPECT_STREQ(body["error"]["message"].GetString(), "no such resource: \"/v1/nothing\\xFF\\x01\"");
    const auto failed = dispatch(router, request("GET", "/v1/fail"));
    EXPECT_NE(failed.status, 200) << "a handler's error becomes its status";
    EXPECT_NE(failed.body.find("\"error\""), std::string::npos) << failed.body;
}

TEST(RouterTest, RejectsMalformedRoutes) {
    Router router;
    EXPECT_THROW(router.add({"GET", "no-slash", "", [](const Request&) { return Response{}; }}), GatewayError);
    EXPECT_THROW(router.add({"GET", "/x", "", nullptr}), GatewayError);
}

TEST(OpenApiTest, DescribesEveryRouteWithItsParameters) {
    const Router router = sampleRouter();
    rapidjson::Document doc;
    doc.Parse(openApiDocument(router, "1.2.3").c_str());
    ASSERT_FALSE(doc.HasParseError());
    EXPECT_STREQ(doc["openapi"].GetString(), "3.0.3");
    EXPECT_STREQ(doc["info"]["version"].GetString(), "1.2.3");
    const auto& paths = doc["paths"];
    ASSERT_TRUE(paths.HasMember("/v1/profiles/{id}"));
    EXPECT_STREQ(paths["/v1/profiles/{id}"]["get"]["parameters"][0]["name"].GetString(), "id");
    EXPECT_TRUE(paths["/v1/profiles"].HasMember("get"));
    EXPECT_TRUE(paths["/v1/profiles"].HasMember("post"));
    EXPECT_EQ(paths.MemberCount(), 3u);
}

}  // namespace
}  // namespace gateway::api
