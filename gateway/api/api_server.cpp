#include "gateway/api/api_server.h"

#include "gateway/api/http_connection.h"
#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/security/tls_server.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <istream>

namespace gateway::api {
namespace {

/// Reads at most `limit` bytes of body; more is a 413 whatever the declared length said.
std::string readBody(std::istream& in, std::size_t limit) {
    std::string body;
    char buffer[8192];
    while (in) {
        in.read(buffer, sizeof buffer);
        const auto got = static_cast<std::size_t>(in.gcount());
        if (body.size() + got > limit) {
            throw GatewayError(ErrorCode::PayloadTooLarge,
                               "request body exceeds the limit of " + std::to_string(limit) + " bytes");
        }
        body.append(buffer, got);
    }
    return body;
}

class RequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    RequestHandler(const Router& router, std::size_t max_body_bytes)
        : router_(router), max_body_bytes_(max_body_bytes) {}

    void handleRequest(Poco::Net::HTTPServerRequest& http_request,
                       Poco::Net::HTTPServerResponse& http_response) override {
        Response response;
        try {
            response = handle(http_request);
        } catch (const GatewayError& e) {
            response = errorResponse(e.code(), e.message());
        } catch (const Poco::Net::NetException& e) {
            // The client went away or sent garbage mid-body; nothing useful can be answered.
            Poco::Logger::get("gateway.api").notice("connection error: " + e.displayText());
            return;
        } catch (const std::exception& e) {
            Poco::Logger::get("gateway.api").error(std::string("unhandled error: ") + e.what());
            response = errorResponse(ErrorCode::Internal, "internal error");
        }
        http_response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
        http_response.setContentType(response.content_type);
        http_response.set("Cache-Control", "no-store");
        http_response.set("X-Content-Type-Options", "nosniff");
        for (const auto& [name, value] : response.headers) {
            http_response.set(name, value);
        }
        http_response.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
        const bool may_have_body = http_request.hasContentLength() ? http_request.getContentLength64() > 0
                                                                   : http_request.getChunkedTransferEncoding();
        if (response.status >= 400 && response.status != 404 && response.status != 405 && may_have_body) {
            // Unread body bytes of a refused request would be parsed as the next request, so the connection ends,
            // lingering (see ConnectionFactory) so that the client still reads this answer.
            http_response.setKeepAlive(false);
        }
        std::ostream& out = http_response.send();
        if (http_request.getMethod() != "HEAD") {
            out.write(response.body.data(), static_cast<std::streamsize>(response.body.size()));
        }
    }

private:
    Response handle(Poco::Net::HTTPServerRequest& http_request) {
        Request request;
        request.method = http_request.getMethod();
        request.client_address = http_request.clientAddress().toString();
        try {
            const Poco::URI uri(http_request.getURI());
            request.path = uri.getPath();
            for (auto& [name, value] : uri.getQueryParameters()) {
                request.query.emplace(std::move(name), std::move(value));
            }
        } catch (const Poco::SyntaxException& e) {
            throw GatewayError(ErrorCode::InvalidArgument,
                               "malformed request URI " + utf8::quote(http_request.getURI(), 80));
        }
        for (const auto& [name, value] : http_request) {
            request.headers[Poco::toLower(name)] = value;
        }
        request.certificate_subject = security::peerSubject(http_request);
        if (http_request.hasContentLength() &&
            http_request.getContentLength64() > static_cast<Poco::Int64>(max_body_bytes_)) {
            throw GatewayError(ErrorCode::PayloadTooLarge,
                               "request body of " + std::to_string(http_request.getContentLength64()) +
                                   " bytes exceeds the limit of " + std::to_string(max_body_bytes_) + " bytes");
        }
        if (http_request.hasContentLength() || http_request.getChunkedTransferEncoding()) {
            request.body = readBody(http_request.stream(), max_body_bytes_);
        }
        return dispatch(router_, std::move(request));
    }

    const Router& router_;
    std::size_t max_body_bytes_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    HandlerFactory(const Router& router, std::size_t max_body_bytes)
        : router_(router), max_body_bytes_(max_body_bytes) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new RequestHandler(router_, max_body_bytes_);
    }

private:
    const Router& router_;
    std::size_t max_body_bytes_;
};

}  // namespace

ApiServer::ApiServer(const ServerSettings& settings, const Router& router) : settings_(settings), router_(router) {}

ApiServer::~ApiServer() {
    stop();
}

void ApiServer::start() {
    Poco::Net::ServerSocket socket;
    if (!settings_.tls.cert_file.empty()) {
        tls_ = std::make_unique<security::TlsServerContext>(settings_.tls);
        socket = Poco::Net::SecureServerSocket(tls_->context());
    }
    try {
        socket.bind(Poco::Net::SocketAddress(settings_.host, static_cast<Poco::UInt16>(settings_.port)), true);
        socket.listen(settings_.queue);
    } catch (const Poco::Exception& e) {
        throw GatewayError(ErrorCode::Unavailable, "cannot listen on " + settings_.host + ":" +
                                                       std::to_string(settings_.port) + ": " + e.displayText());
    }
    port_ = socket.address().port();

    Poco::AutoPtr<Poco::Net::HTTPServerParams> params(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(settings_.threads);
    params->setMaxQueued(settings_.queue);
    params->setTimeout(Poco::Timespan(settings_.request_timeout_seconds, 0));
    params->setKeepAlive(true);
    params->setServerName("childgateway");
    pool_ = std::make_unique<Poco::ThreadPool>(1, settings_.threads);
    ConnectionLimits limits;
    limits.head_timeout = std::chrono::seconds(settings_.head_timeout_seconds);
    limits.max_per_address = settings_.max_connections_per_address;
    connections_ = new ConnectionFactory(params, new HandlerFactory(router_, settings_.max_body_bytes), {}, limits);
    server_ = std::make_unique<Poco::Net::TCPServer>(connections_, *pool_, socket, params);
    server_->start();
}

void ApiServer::reloadCertificates() {
    if (tls_) {
        tls_->reload();
    }
}

security::ServedCertificate ApiServer::servedCertificate() const {
    return tls_ ? tls_->served() : security::ServedCertificate{};
}

void ApiServer::stop() {
    if (server_) {
        // Closes the listening socket, then idle keep-alive connections; requests being handled run to
        // completion before the worker threads are joined.
        server_->stop();
        connections_->stopConnections();
        pool_->joinAll();
        server_.reset();
        connections_ = nullptr;
        pool_.reset();
    }
}

}  // namespace gateway::api
