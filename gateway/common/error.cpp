#include "gateway/common/error.h"

#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway {

std::string_view errorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return "invalid_argument";
        case ErrorCode::InvalidConfig:
            return "invalid_config";
        case ErrorCode::Unauthenticated:
            return "unauthenticated";
        case ErrorCode::Forbidden:
            return "forbidden";
        case ErrorCode::NotFound:
            return "not_found";
        case ErrorCode::MethodNotAllowed:
            return "method_not_allowed";
        case ErrorCode::Conflict:
            return "conflict";
        case ErrorCode::PayloadTooLarge:
            return "payload_too_large";
        case ErrorCode::UnsupportedMediaType:
            return "unsupported_media_type";
        case ErrorCode::RateLimited:
            return "rate_limited";
        case ErrorCode::StoreUnavailable:
            return "store_unavailable";
        case ErrorCode::StoreError:
            return "store_error";
        case ErrorCode::SourceUnavailable:
            return "source_unavailable";
        case ErrorCode::SourceError:
            return "source_error";
        case ErrorCode::Unavailable:
            return "unavailable";
        case ErrorCode::Internal:
            return "internal";
    }
    return "internal";
}

int httpStatus(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return 400;
        case ErrorCode::Unauthenticated:
            return 401;
        case ErrorCode::Forbidden:
            return 403;
        case ErrorCode::NotFound:
            return 404;
        case ErrorCode::MethodNotAllowed:
            return 405;
        case ErrorCode::Conflict:
            return 409;
        case ErrorCode::PayloadTooLarge:
            return 413;
        case ErrorCode::UnsupportedMediaType:
            return 415;
        case ErrorCode::RateLimited:
            return 429;
        case ErrorCode::StoreUnavailable:
        case ErrorCode::SourceUnavailable:
        case ErrorCode::Unavailable:
            return 503;
        case ErrorCode::InvalidConfig:
        case ErrorCode::StoreError:
        case ErrorCode::SourceError:
        case ErrorCode::Internal:
            return 500;
    }
    return 500;
}

GatewayError::GatewayError(ErrorCode code, const std::string& message)
    : Poco::Exception(message, static_cast<int>(code)), code_(code) {}

const char* GatewayError::name() const noexcept {
    return errorCodeName(code_).data();
}

const char* GatewayError::className() const noexcept {
    return "gateway::GatewayError";
}

Poco::Exception* GatewayError::clone() const {
    return new GatewayError(*this);
}

void GatewayError::rethrow() const {
    throw *this;
}

std::string renderErrorJson(ErrorCode code, std::string_view message) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("error");
    writer.StartObject();
    writer.Key("code");
    const std::string_view name = errorCodeName(code);
    json::string(writer, name);
    writer.Key("message");
    // Messages may quote hostile input; the body must stay valid JSON whatever it holds.
    const std::string safe = utf8::toValidUtf8(message);
    json::string(writer, safe);
    writer.EndObject();
    writer.EndObject();
    return buffer.GetString();
}

}  // namespace gateway
