// dispatch(): the one path every API request takes from routing to its answer. In order: route, identify the
// caller, rate-limit, check the route's roles, check the declared purpose of a personal-data read, run the handler,
// and append the call to the exchange log before the answer leaves.

#include "gateway/api/access_log.h"
#include "gateway/api/api_server.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/redact.h"
#include "gateway/common/utf8.h"

#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <set>

namespace gateway::api {
namespace {

constexpr std::size_t kMaxParameterName = 64;
constexpr std::size_t kMaxParameterValue = 1024;
constexpr std::size_t kMaxCaseReference = 64;

/// Query parameters whose values are themselves personal data: the log records that they were given, not what.
const std::set<std::string, std::less<>> kRedactedParameters{"id_number", "phone", "guardian_id_number"};

/// How a request proved who it is, or why it did not.
struct Identification {
    std::optional<security::Client> client;
    std::string method;   // "api_key", "jwt", "certificate", "local"
    std::string failure;  // fixed words, never text from the request
};

std::string header(const Request& request, const std::string& name) {
    const auto it = request.headers.find(name);
    return it == request.headers.end() ? std::string() : Poco::trim(it->second);
}

/// A JWT has three base64url parts; API keys have no dots.
bool looksLikeJwt(std::string_view token) {
    return std::count(token.begin(), token.end(), '.') == 2;
}

Identification identify(const AccessControl& access, const Request& request) {
    if (access.clients == nullptr && access.tokens == nullptr) {
        return {localAdministrator(), "local", ""};
    }
    std::string bearer;
    if (const auto it = request.headers.find("authorization"); it != request.headers.end()) {
        const std::string& value = it->second;
        if (value.size() <= 7 || Poco::icompare(value.substr(0, 7), "bearer ") != 0) {
            return {std::nullopt, "", "the Authorization scheme is not Bearer"};
        }
        bearer = Poco::trim(value.substr(7));
    }
    if (!bearer.empty() && looksLikeJwt(bearer)) {
        if (access.tokens == nullptr) {
            return {std::nullopt, "jwt", "bearer tokens are not accepted here"};
        }
        security::JwtResult result = access.tokens->current()->verify(bearer, Poco::Timestamp());
        if (!result.ok()) {
            return {std::nullopt, "jwt", "token " + result.failure};
        }
        return {std::move(result.client), "jwt", ""};
    }
    // One registry for the whole request, however a reload replaces it meanwhile.
    const std::shared_ptr<const security::ClientRegistry> clients =
        access.clients != nullptr ? access.clients->current() : nullptr;
    const std::string key = bearer.empty() ? header(request, "x-api-key") : bearer;
    if (!key.empty()) {
        auto client = clients != nullptr ? clients->authenticate(key) : std::nullopt;
        if (!client) {
            return {std::nullopt, "api_key", "unknown API key"};
        }
        return {std::move(client), "api_key", ""};
    }
    if (request.certificate_subject) {
        auto client = clients != nullptr ? clients->byCertificate(*request.certificate_subject) : std::nullopt;
        if (!client) {
            return {std::nullopt, "certificate", "certificate subject is not a registered client"};
        }
        return {std::move(client), "certificate", ""};
    }
    return {std::nullopt, "", "no credentials"};
}

/// The address without its port: clients reconnect from new ports, and a bucket per port would not limit anything.
std::string host(const std::string& address) {
    const auto colon = address.rfind(':');
    return colon == std::string::npos ? address : address.substr(0, colon);
}

/// Request text as the log can hold it: as it is when it is well-formed text without control characters, else (and
/// when longer than `max_chars`) quoted with escapes. The log refuses ill-formed text, and a hostile path or
/// parameter must still leave its record.
std::string loggable(const std::string& text, std::size_t max_chars = 256) {
    const bool plain = text.size() <= max_chars && utf8::isValid(text) &&
                       std::none_of(text.begin(), text.end(),
                                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    return plain ? text : utf8::quote(text, max_chars);
}

/// What the exchange log records of one call.
struct CallRecord {
    std::string action;
    std::string actor;
    std::string identified_by;
    std::string failure;
    std::string purpose;
    std::string case_reference;
};

audit::ExchangeLogEntry logEntry(const Request& request, const Route* route, const CallRecord& call,
                                 const Response& response) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    auto member = [&writer](const char* key, const std::string& value) {
        writer.Key(key);
        json::string(writer, value);
    };
    writer.StartObject();
    member("method", loggable(request.method, 16));
    member("route", route != nullptr ? route->pattern : std::string());
    writer.Key("status");
    writer.Int(response.status);
    writer.Key("query");
    writer.StartObject();
    for (const auto& [name, value] : request.query) {
        member(loggable(name, 64).c_str(),
               kRedactedParameters.contains(name) ? std::string(kRedacted) : redactPersonalNumbers(loggable(value)));
    }
    writer.EndObject();
    if (!call.purpose.empty()) {
        member("purpose", call.purpose);
    }
    if (!call.case_reference.empty()) {
        member("case_reference", call.case_reference);
    }
    if (!call.identified_by.empty()) {
        member("auth", call.identified_by);
    }
    if (!call.failure.empty()) {
        member("failure", call.failure);
    }
    member("address", loggable(request.client_address, 64));
    writer.Key("disclosed");
    writer.Uint64(response.persons.size());
    writer.EndObject();

    audit::ExchangeLogEntry entry;
    entry.at = formatIso(SystemClock().now());
    entry.actor = call.actor;
    entry.action = call.action;
    // Paths hold person IDs; a citizen number a caller put in one anyway is redacted, as in the query above.
    entry.subject = redactPersonalNumbers(loggable(request.path));
    entry.detail_json = buffer.GetString();
    // Person IDs index the per-child ledger: a citizen number passed as one is not a person ID, and is not indexed.
    const auto indexable = [](const std::string& id) {
        return !id.empty() && loggable(id, 64) == id && redactPersonalNumbers(id) == id;
    };
    std::copy_if(response.persons.begin(), response.persons.end(), std::back_inserter(entry.persons), indexable);
    // The child a call asked for, answered or refused: "who tried to read this child's file" is the same query.
    const auto id = request.path_params.find("id");
    if (id != request.path_params.end() && indexable(id->second) &&
        std::find(entry.persons.begin(), entry.persons.end(), id->second) == entry.persons.end()) {
        entry.persons.push_back(id->second);
    }
    return entry;
}

/// Appends the call to the exchange log. A read whose record cannot be written is not answered.
Response logged(const AccessControl& access, const Request& request, const Route* route, const CallRecord& call,
                Response response) {
    if (access.access_log == nullptr) {
        return response;
    }
    std::sort(response.persons.begin(), response.persons.end());
    response.persons.erase(std::unique(response.persons.begin(), response.persons.end()), response.persons.end());
    try {
        access.access_log->record(logEntry(request, route, call, response));
    } catch (const GatewayError& e) {
        return errorResponse(ErrorCode::StoreUnavailable,
                             "the exchange log cannot be written, so nothing is answered: " + e.message());
    }
    return response;
}

std::string joined(const std::vector<std::string>& values) {
    std::string text;
    for (const auto& value : values) {
        text += (text.empty() ? "" : ", ") + value;
    }
    return text;
}

Response runHandler(const Route& route, const Request& request) {
    try {
        return route.handler(request);
    } catch (const GatewayError& e) {
        return errorResponse(e.code(), e.message());
    }
}

}  // namespace

Response jsonResponse(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

Response errorResponse(ErrorCode code, const std::string& message) {
    return jsonResponse(httpStatus(code), renderErrorJson(code, message));
}

Response dispatch(const Router& router, Request request) {
    auto match = router.match(request.method == "HEAD" ? "GET" : request.method, request.path);
    if (match.route == nullptr) {
        if (!match.allowed_methods.empty()) {
            const std::string allow = joined(match.allowed_methods);
            auto response =
                errorResponse(ErrorCode::MethodNotAllowed, "method " + request.method + " is not allowed on " +
                                                               utf8::quote(request.path, 80) + "; allowed: " + allow);
            response.headers.emplace_back("Allow", allow);
            return response;
        }
        return errorResponse(ErrorCode::NotFound, "no such resource: " + utf8::quote(request.path, 80));
    }
    request.path_params = std::move(match.path_params);
    const Route& route = *match.route;
    for (const auto& [name, value] : request.query) {
        if (name.size() > kMaxParameterName || value.size() > kMaxParameterValue) {
            return errorResponse(ErrorCode::InvalidArgument, "query parameter " + utf8::quote(name, 40) +
                                                                 " is longer than " +
                                                                 std::to_string(kMaxParameterValue) + " bytes");
        }
    }
    if (route.anonymous) {
        return runHandler(route, request);
    }

    const AccessControl& access = router.accessControl();
    const auto now = security::RateLimiter::Clock::now();
    auto limited = [&](const std::string& bucket) -> std::optional<Response> {
        if (access.rate_limiter == nullptr || (access.clients == nullptr && access.tokens == nullptr)) {
            return std::nullopt;
        }
        const auto decision = access.rate_limiter->take(bucket, now);
        if (decision.allowed) {
            return std::nullopt;
        }
        auto response = errorResponse(ErrorCode::RateLimited, "too many requests; retry after " +
                                                                  std::to_string(decision.retry_after.count()) + " s");
        response.headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
        return response;
    };

    CallRecord call;
    call.action = request.method == "GET" || request.method == "HEAD" ? "api.read" : "api.write";
    Identification who = identify(access, request);
    call.identified_by = who.method;
    if (!who.client) {
        // Refusals count against the address, so that guessing keys is slow and cannot flood the log.
        if (auto refused = limited("address " + host(request.client_address))) {
            return std::move(*refused);
        }
        call.action = "auth.failure";
        call.actor = "address:" + host(request.client_address);
        call.failure = who.failure;
        auto response = errorResponse(ErrorCode::Unauthenticated,
                                      who.failure +
                                          ": give an API key (Authorization: Bearer <key> or X-API-Key: "
                                          "<key>), a bearer token, or a registered client certificate");
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"gateway\"");
        return logged(access, request, &route, call, std::move(response));
    }
    request.client = std::move(who.client);
    call.actor = "api:" + request.client->id;
    if (auto refused = limited("client " + request.client->id)) {
        return std::move(*refused);
    }

    const bool admitted = std::any_of(route.roles.begin(), route.roles.end(),
                                      [&](security::Role role) { return request.client->has(role); });
    if (!admitted) {
        std::vector<std::string> roles;
        for (const security::Role role : route.roles) {
            roles.emplace_back(security::roleName(role));
        }
        call.action = "auth.denied";
        call.failure = "role";
        return logged(access, request, &route, call,
                      errorResponse(ErrorCode::Forbidden, "client " + utf8::quote(request.client->id, 80) +
                                                              " may not " + route.method + " " + route.pattern +
                                                              " (needs role " + joined(roles) + ")"));
    }

    if (route.personal && !access.purposes.empty()) {
        call.purpose = header(request, "x-purpose");
        call.case_reference = header(request, "x-case-reference");
        const bool known =
            std::find(access.purposes.begin(), access.purposes.end(), call.purpose) != access.purposes.end();
        if (!known) {
            const std::string given = call.purpose;
            call.purpose = loggable(given, 64);
            call.failure = "purpose";
            return logged(access, request, &route, call,
                          errorResponse(ErrorCode::InvalidArgument,
                                        (given.empty() ? std::string("this reads personal data: declare why in the "
                                                                     "X-Purpose header")
                                                       : "X-Purpose " + utf8::quote(given, 64) + " is not a purpose") +
                                            " (one of: " + joined(access.purposes) + ")"));
        }
        const bool printable = utf8::isValid(call.case_reference) &&
                               std::none_of(call.case_reference.begin(), call.case_reference.end(),
                                            [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
        if (call.case_reference.size() > kMaxCaseReference || !printable) {
            call.case_reference.clear();
            call.failure = "case reference";
            return logged(
                access, request, &route, call,
                errorResponse(ErrorCode::InvalidArgument, "X-Case-Reference must be printable text of at most " +
                                                              std::to_string(kMaxCaseReference) + " bytes"));
        }
    }
    return logged(access, request, &route, call, runHandler(route, request));
}

}  // namespace gateway::api
