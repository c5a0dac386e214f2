#include "gateway/api/parameters.h"

#include "gateway/common/error.h"
#include "gateway/common/json_parse.h"

#include <charconv>

namespace gateway::api {

std::string queryValue(const Request& request, const std::string& name, const std::string& fallback) {
    const auto it = request.query.find(name);
    return it == request.query.end() ? fallback : it->second;
}

std::int64_t integerParameter(const Request& request, const std::string& name, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) {
    const std::string text = queryValue(request, name);
    if (text.empty()) {
        return fallback;
    }
    std::int64_t value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value < min || value > max) {
        throw GatewayError(ErrorCode::InvalidArgument, "query parameter " + name + " must be a whole number from " +
                                                           std::to_string(min) + " to " + std::to_string(max));
    }
    return value;
}

std::string divisionPrefix(const std::string& code, const std::string& parameter) {
    if (code.find_first_not_of("0123456789") != std::string::npos) {
        throw GatewayError(ErrorCode::InvalidArgument, parameter + " must be digits, e.g. 320411 or 320411101201");
    }
    if (code.size() != 12) {
        if (code.size() < 4 || code.size() > 12) {
            throw GatewayError(ErrorCode::InvalidArgument, parameter + " must have 4 to 12 digits");
        }
        return code;
    }
    if (code.ends_with("00000000")) {
        return code.substr(0, 4);
    }
    if (code.ends_with("000000")) {
        return code.substr(0, 6);
    }
    if (code.ends_with("000")) {
        return code.substr(0, 9);
    }
    return code;
}

rapidjson::Document objectBody(const Request& request) {
    constexpr unsigned kMaxDepth = 32;
    rapidjson::Document body;
    const JsonParseResult parsed = parseJsonLimited(request.body, body, kMaxDepth);
    if (parsed.too_deep) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "the body nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    if (!parsed || !body.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the body must be a JSON object");
    }
    return body;
}

}  // namespace gateway::api
