// Who gets through dispatch(): a key of a client holding one of the route's roles, nobody else; routes open to
// anyone need no key; without a clients file every caller is the local administrator. Oversized query values are
// refused before any handler sees them.

#include "gateway/api/api_server.h"
#include "gateway/api/openapi.h"
#include "gateway/api/router.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace gateway::api {
namespace {

security::ClientRegistry clients() {
    return security::ClientRegistry::parse(
        R"({"clients": [{"id": "village-1", "roles": ["app"], "scope": "320411101201", "view": "village",
                         "api_key_sha256": ")" +
            sha256Hex("village-key") + R"("},
                        {"id": "reviewer-1", "roles": ["reviewer"], "api_key_sha256": ")" +
            sha256Hex("reviewer-key") + R"("}]})",
        "clients.json");
}

Router router() {
    Router result;
    const auto who = [](const Request& request) {
        return jsonResponse(200,
                            "{\"client\":\"" + request.client->id + "\",\"scope\":\"" + request.client->scope + "\"}");
    };
    result.add({"GET", "/v1/profiles", "list", who, {security::Role::Admin, security::Role::App}});
    result.add({"GET", "/v1/review", "queue", who, {security::Role::Admin, security::Role::Reviewer}});
    result.add({"GET", "/v1/admin", "admin only", who});
    result.add({"GET", "/healthz", "liveness", [](const Request&) { return jsonResponse(200, "{}"); }, {}, true});
    return result;
}

Request get(const std::string& path, const std::string& key = "", const std::string& header = "authorization") {
    Request request;
    request.method = "GET";
    request.path = path;
    if (!key.empty()) {
        request.headers[header] = header == "authorization" ? "Bearer " + key : key;
    }
    return request;
}

TEST(Access, OnlyAKeyOfAnAdmittedRoleReachesTheHandler) {
    const security::ClientDirectory registry(clients());
    Router routes = router();
    routes.setClients(&registry);

    const Response missing = dispatch(routes, get("/v1/profiles"));
    EXPECT_EQ(missing.status, 401);
    ASSERT_EQ(missing.headers.size(), 1u);
    EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(dispatch(routes, get("/v1/profiles", "wrong-key")).status, 401);
    EXPECT_EQ(dispatch(routes, get("/v1/profiles", "Bearer village-key", "authorization")).status, 401)
        << "the scheme is given once";

    const Response village = dispatch(routes, get("/v1/profiles", "village-key"));
    EXPECT_EQ(village.status, 200);
    EXPECT_EQ(village.body, R"({"client":"village-1","scope":"320411101201"})");
    EXPECT_EQ(dispatch(routes, get("/v1/profiles", "village-key", "x-api-key")).status, 200);

    const Response refused = dispatch(routes, get("/v1/review", "village-key"));
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("reviewer"), std::string::npos) << refused.body;
    EXPECT_EQ(dispatch(routes, get("/v1/review", "reviewer-key")).status, 200);
    EXPECT_EQ(dispatch(routes, get("/v1/profiles", "reviewer-key")).status, 403);
    EXPECT_EQ(dispatch(routes, get("/v1/admin", "reviewer-key")).status, 403) << "a route says nothing: admin only";
    EXPECT_EQ(dispatch(routes, get("/healthz")).status, 200);
}

TEST(Access, WithoutClientsEveryCallerIsTheLocalAdministrator) {
    const Router routes = router();
    const Response response = dispatch(routes, get("/v1/admin"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, R"({"client":"local","scope":""})");
}

TEST(Access, AnOversizedQueryValueIs400NamingTheParameter) {
    const Router routes = router();
    Request request = get("/v1/profiles");
    request.query.emplace("name", std::string(10240, 'a'));
    const Response response = dispatch(routes, request);
    EXPECT_EQ(response.status, 400) << "a 10 kB value reached the handler";
    EXPECT_NE(response.body.find("name"), std::string::npos) << response.body;
    EXPECT_LT(response.body.size(), 250u);
}

TEST(Access, TheOpenApiDocumentSaysWhoMayCallEachRoute) {
    const std::string document = openApiDocument(router(), "test");
    rapidjson::Document json;
    json.Parse(document.c_str());
    ASSERT_TRUE(json.IsObject()) << document;
    EXPECT_EQ(json["paths"]["/healthz"]["get"]["security"].Size(), 0u);
    const auto& list = json["paths"]["/v1/profiles"]["get"];
    EXPECT_EQ(list["security"].Size(), 1u);
    ASSERT_EQ(list["x-roles"].Size(), 2u);
    EXPECT_EQ(std::string(list["x-roles"][0].GetString()), "admin");
    EXPECT_EQ(std::string(list["x-roles"][1].GetString()), "app");
    EXPECT_EQ(std::string(json["components"]["securitySchemes"]["apiKey"]["scheme"].GetString()), "bearer");
}

}  // namespace
}  // namespace gateway::api
