#pragma once

#include "gateway/common/error.h"
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
    /// The subject of the verified client certificate the connection was made with (HTTPS with client certificates).
    std::optional<std::string> certificate_subject;
    /// Who is calling, set by dispatch() before the handler runs (absent only on routes open to anyone).
    std::optional<security::Client> client;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// The persons whose data the answer discloses, for the exchange log's per-child access ledger.
    std::vector<std::string> persons{};
};

/// A JSON response with the given status.
Response jsonResponse(int status, std::string body);

/// The JSON error contract: {"error": {"code": …, "message": …}} with the code's status.
Response errorResponse(ErrorCode code, const std::string& message);

}  // namespace gateway::api
