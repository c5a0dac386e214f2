#include "gateway/api/openapi.h"
#include "gateway/common/json_writer.h"

#include <Poco/String.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <vector>

namespace gateway::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void writeErrorResponse(Writer& writer, const char* status, const char* description) {
    writer.Key(status);
    writer.StartObject();
    writer.Key("description");
    writer.String(description);
    writer.Key("content");
    writer.StartObject();
    writer.Key("application/json");
    writer.StartObject();
    writer.Key("schema");
    writer.StartObject();
    writer.Key("$ref");
    writer.String("#/components/schemas/Error");
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
}

void writeErrorSchema(Writer& writer) {
    writer.Key("Error");
    writer.StartObject();
    writer.Key("type");
    writer.String("object");
    writer.Key("required");
    writer.StartArray();
    writer.String("error");
    writer.EndArray();
    writer.Key("properties");
    writer.StartObject();
    writer.Key("error");
    writer.StartObject();
    writer.Key("type");
    writer.String("object");
    writer.Key("required");
    writer.StartArray();
    writer.String("code");
    writer.String("message");
    writer.EndArray();
    writer.Key("properties");
    writer.StartObject();
    for (const char* field : {"code", "message"}) {
        writer.Key(field);
        writer.StartObject();
        writer.Key("type");
        writer.String("string");
        writer.EndObject();
    }
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
}

std::vector<std::string> pathParameters(const std::string& pattern) {
    std::vector<std::string> names;
    std::size_t pos = 0;
    while ((pos = pattern.find('{', pos)) != std::string::npos) {
        const std::size_t end = pattern.find('}', pos);
        if (end == std::string::npos) {
            break;
        }
        names.push_back(pattern.substr(pos + 1, end - pos - 1));
        pos = end;
    }
    return names;
}

/// One parameter object; `values` (when given and not empty) lists the accepted values, `max_length` bounds the
/// text (0: no bound).
void writeParameter(Writer& writer, std::string_view name, const char* in, bool required,
                    const std::vector<std::string>* values = nullptr, unsigned max_length = 0) {
    writer.StartObject();
    writer.Key("name");
    json::string(writer, name);
    writer.Key("in");
    writer.String(in);
    writer.Key("required");
    writer.Bool(required);
    writer.Key("schema");
    writer.StartObject();
    writer.Key("type");
    writer.String("string");
    if (values != nullptr && !values->empty()) {
        writer.Key("enum");
        writer.StartArray();
        for (const std::string& value : *values) {
            json::string(writer, value);
        }
        writer.EndArray();
    }
    if (max_length > 0) {
        writer.Key("maxLength");
        writer.Uint(max_length);
    }
    writer.EndObject();
    writer.EndObject();
}

}  // namespace

std::string openApiDocument(const Router& router, std::string_view version) {
    const std::vector<std::string>& purposes = router.accessControl().purposes;
    // Group the routes by path, keeping the router's order.
    std::vector<std::string> paths;
    std::map<std::string, std::vector<const Route*>> by_path;
    for (const auto& route : router.routes()) {
        if (by_path.find(route.pattern) == by_path.end()) {
            paths.push_back(route.pattern);
        }
        by_path[route.pattern].push_back(&route);
    }

    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    writer.Key("openapi");
    writer.String("3.0.3");
    writer.Key("info");
    writer.StartObject();
    writer.Key("title");
    writer.String("Child-profile exchange gateway");
    writer.Key("version");
    json::string(writer, version);
    writer.EndObject();
    writer.Key("paths");
    writer.StartObject();
    for (const auto& path : paths) {
        json::string(writer, path);
        writer.StartObject();
        for (const Route* route : by_path[path]) {
            json::string(writer, Poco::toLower(route->method));
            writer.StartObject();
            writer.Key("summary");
            json::string(writer, route->summary);
            // Who may call it: open to anyone, or an API key of a client holding one of the roles.
            writer.Key("security");
            writer.StartArray();
            if (!route->anonymous) {
                writer.StartObject();
                writer.Key("apiKey");
                writer.StartArray();
                writer.EndArray();
                writer.EndObject();
            }
            writer.EndArray();
            if (!route->anonymous) {
                writer.Key("x-roles");
                writer.StartArray();
                for (const security::Role role : route->roles) {
                    json::string(writer, security::roleName(role));
                }
                writer.EndArray();
            }
            if (route->personal) {
                writer.Key("x-personal");
                writer.Bool(true);
            }
            const auto parameters = pathParameters(route->pattern);
            if (!parameters.empty() || !route->query.empty() || route->personal) {
                writer.Key("parameters");
                writer.StartArray();
                for (const auto& name : parameters) {
                    writeParameter(writer, name, "path", true);
                }
                for (const auto& name : route->query) {
                    writeParameter(writer, name, "query", false);
                }
                if (route->personal) {
                    // Why the caller reads this child's data: one of api.purposes, or 400.
                    writeParameter(writer, "X-Purpose", "header", true, &purposes);
                    writeParameter(writer, "X-Case-Reference", "header", false, nullptr, 64);
                }
                writer.EndArray();
            }
            writer.Key("responses");
            writer.StartObject();
            writer.Key("200");
            writer.StartObject();
            writer.Key("description");
            writer.String("OK");
            writer.EndObject();
            writeErrorResponse(writer, "default", "Error, as {\"error\":{\"code\",\"message\"}}");
            writer.EndObject();
            writer.EndObject();
        }
        writer.EndObject();
    }
    writer.EndObject();
    writer.Key("components");
    writer.StartObject();
    writer.Key("schemas");
    writer.StartObject();
    writeErrorSchema(writer);
    writer.EndObject();
    writer.Key("securitySchemes");
    writer.StartObject();
    writer.Key("apiKey");
    writer.StartObject();
    writer.Key("type");
    writer.String("http");
    writer.Key("scheme");
    writer.String("bearer");
    writer.Key("description");
    writer.String("An API key of the clients file (api.clients), as Authorization: Bearer KEY or X-API-Key: KEY");
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
    return buffer.GetString();
}

}  // namespace gateway::api
