#pragma once

#include <Poco/Exception.h>

#include <string>
#include <string_view>

namespace gateway {

/// The short list of failure kinds that cross module boundaries. Each maps to one HTTP status and one
/// stable wire name, so API clients and CLI users see the same vocabulary.
enum class ErrorCode {
    InvalidArgument,   // a request or command-line value is malformed
    InvalidConfig,     // a configuration key is missing, unknown or has a bad value
    Unauthenticated,   // no or bad credentials
    Forbidden,         // authenticated, but outside the caller's role or scope
    NotFound,          // no such resource (or not visible to the caller)
    MethodNotAllowed,  // the path exists, the method does not
    Conflict,          // the resource changed meanwhile, or a uniqueness rule is violated
    PayloadTooLarge,   // the body exceeds the configured limit
    UnsupportedMediaType,
    RateLimited,
    StoreUnavailable,   // the database cannot be reached or is locked for too long
    StoreError,         // the database rejected an operation
    SourceUnavailable,  // a department system cannot be reached
    SourceError,        // a department system answered with something unusable
    Unavailable,        // the service is starting or stopping
    Internal,           // a bug: an invariant did not hold
};

/// The wire name of a code, e.g. "invalid_argument".
std::string_view errorCodeName(ErrorCode code);

/// The HTTP status a code is reported with.
int httpStatus(ErrorCode code);

/// The one exception type the gateway throws. Bad data inside a batch is not an exception (it is a
/// quarantine reason); this is for requests, configuration, and environment failures.
class GatewayError : public Poco::Exception {
public:
    GatewayError(ErrorCode code, const std::string& message);

    ErrorCode code() const noexcept { return code_; }

    const char* name() const noexcept override;
    const char* className() const noexcept override;
    Poco::Exception* clone() const override;
    void rethrow() const override;

private:
    ErrorCode code_;
};

/// Renders {"error":{"code":"…","message":"…"}} as compact JSON.
std::string renderErrorJson(ErrorCode code, std::string_view message);

}  // namespace gateway
