#include "ops/sim/sink_server.h"

#include "ops/sim/endpoints.h"
#include "ops/sim/hook_request.h"
#include "ops/sim/json_out.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <optional>
#include <string_view>

namespace deptsim {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;

constexpr std::size_t kMaxHookBody = 10 * 1024 * 1024;
constexpr std::string_view kHooksPrefix = "/hooks/";

std::optional<std::string> queryParam(const Poco::URI& uri, const std::string& name) {
    for (const auto& [key, value] : uri.getQueryParameters()) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

/// Reads the body up to `limit` bytes; nullopt when it is longer.
std::optional<std::string> readBody(HTTPServerRequest& request, std::size_t limit) {
    if (request.getContentLength() > static_cast<std::streamsize>(limit)) {
        return std::nullopt;
    }
    std::string body;
    if (request.hasContentLength()) {
        body.reserve(static_cast<std::size_t>(request.getContentLength()));
    }
    std::istream& in = request.stream();
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit) {
            return std::nullopt;
        }
    }
    return body;
}

class SinkRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit SinkRequestHandler(SinkContext& context) : context_(context) {}

    void handleRequest(HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        Reply reply;
        try {
            reply = dispatch(request);
        } catch (const std::exception& e) {
            reply = errorReply(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what());
        }
        response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(reply.status));
        response.setContentType("application/json; charset=utf-8");
        if (reply.status == HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE) {
            response.setKeepAlive(false);  // the rest of the body is still on the connection
        }
        try {
            response.sendBuffer(reply.body.data(), reply.body.size());
        } catch (const Poco::Exception&) {
            // The sender gave up (a `slow` delay outlasted its timeout); what it sent is recorded all the same.
        }
    }

private:
    Reply dispatch(HTTPServerRequest& request) {
        const Poco::URI uri(request.getURI());
        const std::string path = uri.getPath();
        const std::string& method = request.getMethod();
        if (path.rfind(kHooksPrefix, 0) == 0) {
            const std::string name = path.substr(kHooksPrefix.size());
            if (name.empty() || name.find('/') != std::string::npos) {
                return errorReply(HTTPResponse::HTTP_NOT_FOUND, "not found");
            }
            if (method != "POST") {
                return errorReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed");
            }
            return hook(request, name);
        }
        if (path == "/healthz") {
            return method == "GET" ? Reply{HTTPResponse::HTTP_OK, "{\"status\":\"ok\"}", {}}
                                   : errorReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed");
        }
        if (path == "/control/fail" || path == "/control/received") {
            if (!request.clientAddress().host().isLoopback()) {
                return errorReply(HTTPResponse::HTTP_FORBIDDEN, "control endpoints answer loopback clients only");
            }
            if (path == "/control/fail") {
                return method == "POST" ? controlFail(request)
                                        : errorReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed");
            }
            return method == "GET" ? controlReceived(uri)
                                   : errorReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed");
        }
        return errorReply(HTTPResponse::HTTP_NOT_FOUND, "not found");
    }

    Reply hook(HTTPServerRequest& request, const std::string& name) {
        HookRecord record;
        record.name = name;
        record.received_at = receivedAtNow();
        record.idempotency_key = request.get("Idempotency-Key", "");
        const std::optional<std::string> body = readBody(request, kMaxHookBody);
        Reply reply;
        const SinkFailure failure = context_.failures.decide(name, record.idempotency_key);
        if (failure.delay_ms > 0) {
            context_.stopping.tryWait(failure.delay_ms);
        }
        if (body) {
            record.signature_valid = signatureMatches(request.get("X-Gateway-Signature", ""), context_.secret, *body);
            record.body = compactJsonBody(*body);
        }
        if (failure.status == HTTPResponse::HTTP_SERVICE_UNAVAILABLE) {
            reply = errorReply(failure.status, "service unavailable");
        } else if (failure.status != 0) {
            reply = errorReply(failure.status, "internal server error");
        } else if (!body) {
            reply = errorReply(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "request body over 10 MB");
        } else if (!record.signature_valid) {
            reply = errorReply(HTTPResponse::HTTP_UNAUTHORIZED, "missing or invalid X-Gateway-Signature");
        } else if (record.idempotency_key.empty()) {
            reply = errorReply(HTTPResponse::HTTP_BAD_REQUEST, "missing Idempotency-Key");
        } else if (!record.body) {
            reply = errorReply(HTTPResponse::HTTP_BAD_REQUEST, "body is not a JSON object or array");
        } else {
            reply.status = HTTPResponse::HTTP_OK;
        }
        record.status = reply.status;
        const bool duplicate = context_.ledger.record(record);
        if (reply.status == HTTPResponse::HTTP_OK) {
            reply.body = duplicate ? "{\"accepted\":true,\"duplicate\":true}" : "{\"accepted\":true}";
        }
        return reply;
    }

    Reply controlFail(HTTPServerRequest& request) {
        const std::optional<std::string> body = readBody(request, 4096);
        if (!body) {
            return errorReply(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "request body too large");
        }
        std::string error;
        const auto spec = parseSinkFailSpec(*body, error);
        if (!spec) {
            return errorReply(HTTPResponse::HTTP_BAD_REQUEST, error);
        }
        context_.failures.set(*spec);
        JsonOut out;
        out.beginObject().field("fail", formatSinkFailSpec(*spec)).endObject();
        return Reply{HTTPResponse::HTTP_OK, out.str(), {}};
    }

    Reply controlReceived(const Poco::URI& uri) {
        const ReceivedSummary summary = context_.ledger.summary(queryParam(uri, "name"));
        JsonOut out;
        out.beginObject()
            .field("count", summary.count)
            .field("accepted", summary.accepted)
            .field("duplicates", summary.duplicates)
            .key("keys")
            .beginArray();
        for (const std::string& key : summary.keys) {
            out.text(key);
        }
        out.endArray().endObject();
        return Reply{HTTPResponse::HTTP_OK, out.str(), {}};
    }

    SinkContext& context_;
};

class SinkHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit SinkHandlerFactory(SinkContext& context) : context_(context) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new SinkRequestHandler(context_);
    }

private:
    SinkContext& context_;
};

}  // namespace

SinkServer::SinkServer(SinkContext& context, const std::string& host, int port, int threads)
    : listener_(new SinkHandlerFactory(context), host, port, threads, context.stopping) {}

}  // namespace deptsim
