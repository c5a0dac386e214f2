#pragma once

#include "gateway/security/clients.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gateway::api {

/// What a handler sees of a request: already routed, body already read within the size limit.
struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> path_params;  // from {name} segments of the route
    std::multimap<std::string, std::string> query;   // decoded query parameters
    std::map<std::string, std::string> headers;      // lower-case names
    std::string body;
    std::string client_address;
    /// Who is calling, set by dispatch() before the handler runs (absent only on routes open to anyone).
    std::optional<security::Client> client;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// A JSON response with the given status.
Response jsonResponse(int status, std::string body);

}  // namespace gateway::api
