#include "gateway/api/system_routes.h"

#include "gateway/api/openapi.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"

#include <Poco/Logger.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway::api {

void addSystemRoutes(Router& router, store::Store& store, const std::string& version) {
    router.add({"GET",
                "/healthz",
                "Liveness: the process is up and serving requests.",
                [](const Request&) { return jsonResponse(200, R"({"status":"ok"})"); },
                {},
                true});

    router.add({"GET",
                "/readyz",
                "Readiness: the store answers and its schema is current.",
                [&store](const Request&) {
                    rapidjson::StringBuffer buffer;
                    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
                    writer.StartObject();
                    const auto kind = store::storeKindName(store.kind());
                    int status = 200;
                    try {
                        store.ping();
                        const int schema = store.schemaVersion();
                        writer.Key("status");
                        writer.String("ready");
                        writer.Key("store");
                        json::string(writer, kind);
                        writer.Key("schema_version");
                        writer.Int(schema);
                    } catch (const GatewayError& e) {
                        Poco::Logger::get("gateway.api").warning("not ready: " + e.message());
                        return jsonResponse(503, renderErrorJson(ErrorCode::StoreUnavailable,
                                                                 "store is not reachable: " + e.message()));
                    }
                    writer.EndObject();
                    return jsonResponse(status, buffer.GetString());
                },
                {},
                true});

    router.add({"GET",
                "/v1/version",
                "The gateway's version.",
                [version](const Request&) {
                    rapidjson::StringBuffer buffer;
                    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
                    writer.StartObject();
                    writer.Key("version");
                    writer.String(version.c_str());
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                },
                {},
                true});

    router.add({"GET",
                "/openapi.json",
                "This API's OpenAPI 3 description.",
                [&router, version](const Request&) { return jsonResponse(200, openApiDocument(router, version)); },
                {},
                true});
}

}  // namespace gateway::api
