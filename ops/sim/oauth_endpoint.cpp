#include "ops/sim/endpoints.h"
#include "ops/sim/json_out.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <algorithm>

namespace deptsim {

namespace {

using Poco::Net::HTTPResponse;

/// application/x-www-form-urlencoded: name=value pairs joined by '&'.
std::vector<std::pair<std::string, std::string>> formFields(const std::string& body) {
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t start = 0;
    while (start <= body.size()) {
        const std::size_t end = std::min(body.find('&', start), body.size());
        const std::string pair = body.substr(start, end - start);
        if (!pair.empty()) {
            const std::size_t equals = pair.find('=');
            std::string name;
            std::string value;
            std::string raw_value = equals == std::string::npos ? "" : pair.substr(equals + 1);
            std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
            Poco::URI::decode(pair.substr(0, equals), name);
            Poco::URI::decode(raw_value, value);
            fields.emplace_back(std::move(name), std::move(value));
        }
        start = end + 1;
    }
    return fields;
}

std::string fieldOf(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& name) {
    for (const auto& [key, value] : fields) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

}  // namespace

Reply oauthToken(ServeContext& context, const Exchange& exchange) {
    const auto fields = formFields(exchange.body);
    std::string client_id = fieldOf(fields, "client_id");
    std::string client_secret = fieldOf(fields, "client_secret");
    if (exchange.request.hasCredentials()) {
        try {
            const Poco::Net::HTTPBasicCredentials basic(exchange.request);
            client_id = basic.getUsername();
            client_secret = basic.getPassword();
        } catch (const Poco::Exception&) {
            return errorReply(HTTPResponse::HTTP_UNAUTHORIZED, "invalid_client");
        }
    }
    if (client_id != context.credentials.civil_client_id || client_secret != context.credentials.civil_client_secret) {
        Reply reply = errorReply(HTTPResponse::HTTP_UNAUTHORIZED, "invalid_client");
        reply.headers.emplace_back("WWW-Authenticate", "Basic realm=\"civil\"");
        return reply;
    }
    if (fieldOf(fields, "grant_type") != "client_credentials") {
        return errorReply(HTTPResponse::HTTP_BAD_REQUEST, "unsupported_grant_type");
    }
    JsonOut out;
    out.beginObject()
        .field("access_token", context.tokens.issue())
        .field("token_type", "Bearer")
        .field("expires_in", static_cast<std::int64_t>(context.tokens.lifetime().count()))
        .endObject();
    return Reply{HTTPResponse::HTTP_OK, out.str(), {{"Cache-Control", "no-store"}}};
}

}  // namespace deptsim
