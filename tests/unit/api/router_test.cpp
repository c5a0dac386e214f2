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

TEST(OpenApiTest, APersonalRouteDeclaresItsPurposeHeaderAndEveryRouteItsQuery) {
    Router router;
    const auto ok = [](const Request&) { return jsonResponse(200, "{}"); };
    router.add({"GET", "/v1/profiles", "list", ok, {security::Role::App}, false, true, {"division", "cursor"}});
    router.add({"GET", "/v1/stats", "counts", ok, {security::Role::App}, false, false, {"division"}});
    AccessControl access;
    access.purposes = {"case_assessment", "audit"};
    router.setAccessControl(access);
    rapidjson::Document doc;
    doc.Parse(openApiDocument(router, "1").c_str());
    ASSERT_FALSE(doc.HasParseError());

    const auto& list = doc["paths"]["/v1/profiles"]["get"];
    EXPECT_TRUE(list["x-personal"].GetBool());
    const auto& parameters = list["parameters"];
    ASSERT_EQ(parameters.Size(), 4u);
    EXPECT_STREQ(parameters[0]["name"].GetString(), "division");
    EXPECT_STREQ(parameters[0]["in"].GetString(), "query");
    EXPECT_FALSE(parameters[0]["required"].GetBool());
    EXPECT_STREQ(parameters[1]["name"].GetString(), "cursor");
    EXPECT_STREQ(parameters[2]["name"].GetString(), "X-Purpose");
    EXPECT_STREQ(parameters[2]["in"].GetString(), "header");
    EXPECT_TRUE(parameters[2]["required"].GetBool());
    ASSERT_EQ(parameters[2]["schema"]["enum"].Size(), 2u);
    EXPECT_STREQ(parameters[2]["schema"]["enum"][1].GetString(), "audit");
    EXPECT_STREQ(parameters[3]["name"].GetString(), "X-Case-Reference");
    EXPECT_FALSE(parameters[3]["required"].GetBool());
    EXPECT_EQ(parameters[3]["schema"]["maxLength"].GetUint(), 64u);

    const auto& stats = doc["paths"]["/v1/stats"]["get"];
    EXPECT_FALSE(stats.HasMember("x-personal"));
    ASSERT_EQ(stats["parameters"].Size(), 1u) << "counts disclose nobody: no purpose asked";
    EXPECT_STREQ(stats["parameters"][0]["name"].GetString(), "division");
}

}  // namespace
}  // namespace gateway::api
