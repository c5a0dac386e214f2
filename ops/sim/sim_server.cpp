#include "ops/sim/sim_server.h"

#include "ops/sim/endpoints.h"
#include "ops/sim/json_out.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <array>
#include <iostream>

namespace deptsim {

namespace {

using Poco::Net::HTTPResponse;

constexpr std::size_t kMaxBody = 1 << 20;

using Handler = Reply (*)(ServeContext&, const Exchange&);

struct Route {
    std::string_view method;
    std::string_view path;
    Handler handler;
    bool faulty;  // subject to the fault modes
};

constexpr std::array<Route, 9> kRoutes{{
    {"GET", "/police/v1/persons", &policePersons, true},
    {"POST", "/oauth/token", &oauthToken, true},
    {"GET", "/civil/v1/cases", &civilCases, true},
    {"POST", "/control/change", &controlChange, false},
    {"POST", "/control/drift", &controlDrift, false},
    {"POST", "/control/faults", &controlFaults, false},
    {"POST", "/control/gaps", &controlPlantGaps, false},
    {"GET", "/control/gaps", &controlGaps, false},
    {"GET", "/control/stats", &controlStats, false},
}};

Reply healthz(ServeContext&, const Exchange&) {
    return Reply{HTTPResponse::HTTP_OK, "{\"status\":\"ok\"}", {}};
}

class SimRequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit SimRequestHandler(ServeContext& context) : context_(context) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        bool truncate = false;
        Reply reply;
        try {
            reply = dispatch(request, truncate);
        } catch (const std::exception& e) {
            reply = errorReply(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what());
        }
        response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(reply.status));
        response.setContentType("application/json; charset=utf-8");
        for (const auto& [name, value] : reply.headers) {
            response.set(name, value);
        }
        std::string_view body = reply.body;
        if (truncate && reply.status == HTTPResponse::HTTP_OK) {
            body = body.substr(0, body.size() / 2);  // a body cut mid-JSON, with a length that matches it
        }
        try {
            response.sendBuffer(body.data(), body.size());
        } catch (const Poco::Exception&) {
            // The client gave up (a hang outlasted its timeout); nothing is left to tell it.
        }
    }

private:
    Reply dispatch(Poco::Net::HTTPServerRequest& request, bool& truncate) {
        const Poco::URI uri(request.getURI());
        Exchange exchange{request, uri.getPath(), uri.getQueryParameters(), {}, false, true};
        const Route* route = nullptr;
        bool path_known = exchange.path == "/healthz";
        for (const Route& candidate : kRoutes) {
            if (candidate.path == exchange.path) {
                path_known = true;
                if (candidate.method == request.getMethod()) {
                    route = &candidate;
                }
            }
        }
        if (exchange.path == "/healthz" && request.getMethod() == "GET") {
            return healthz(context_, exchange);
        }
        if (route == nullptr) {
            return path_known ? errorReply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method not allowed")
                              : errorReply(HTTPResponse::HTTP_NOT_FOUND, "not found");
        }
        if (request.getContentLength() > static_cast<std::streamsize>(kMaxBody)) {
            return errorReply(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "request body too large");
        }
        if (request.getMethod() == "POST") {
            std::istream& in = request.stream();
            char buffer[8192];
            while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
                exchange.body.append(buffer, static_cast<std::size_t>(in.gcount()));
                if (exchange.body.size() > kMaxBody) {
                    return errorReply(HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "request body too large");
                }
            }
        }
        if (route->faulty) {
            const FaultSpec spec = context_.faults.spec();
            const std::string key = request.getMethod() + " " + request.getURI();
            const std::uint64_t occurrence = context_.faults.occurrence(key);
            if (spec.down) {
                return errorReply(HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "service unavailable");
            }
            if (spec.slow_ms > 0) {
                context_.stopping.tryWait(spec.slow_ms);
            }
            const bool hung = context_.faults.draw("timeout", key, occurrence, spec.timeout);
            if (hung) {
                context_.stopping.tryWait(spec.hang_ms);
            }
            if (context_.faults.draw("http500", key, occurrence, spec.http500)) {
                return errorReply(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal server error");
            }
            truncate = context_.faults.draw("truncate", key, occurrence, spec.truncate);
            exchange.repeat_page = context_.faults.draw("duplicate_page", key, occurrence, spec.duplicate_page);
            exchange.reaches_client = !hung && !truncate;
        }
        return route->handler(context_, exchange);
    }

    ServeContext& context_;
};

class SimHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit SimHandlerFactory(ServeContext& context) : context_(context) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new SimRequestHandler(context_);
    }

private:
    ServeContext& context_;
};

}  // namespace

std::optional<std::string> Exchange::param(const std::string& name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

Reply errorReply(int status, const std::string& message) {
    JsonOut out;
    out.beginObject().field("error", message).endObject();
    return Reply{status, out.str(), {}};
}

SimServer::SimServer(ServeContext& context, const std::string& host, int port, int threads)
    : listener_(new SimHandlerFactory(context), host, port, threads, context.stopping) {}

}  // namespace deptsim
