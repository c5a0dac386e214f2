#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gateway::testing {

/// A real HTTP server on 127.0.0.1, port 0, that answers each request with what the test's script returns and
/// records what it was asked.
class ScriptedHttpServer {
public:
    struct Request {
        std::string method;
        std::string path;
        std::map<std::string, std::string> query;
        std::map<std::string, std::string> headers;  // names as sent
        std::string body;

        std::string header(const std::string& name) const {
            const auto it = headers.find(name);
            return it == headers.end() ? std::string() : it->second;
        }
        std::string param(const std::string& name) const {
            const auto it = query.find(name);
            return it == query.end() ? std::string() : it->second;
        }
        bool hasParam(const std::string& name) const { return query.count(name) > 0; }
    };

    struct Reply {
        Reply() = default;
        Reply(int status_code, std::string reply_body, std::map<std::string, std::string> reply_headers = {})
            : status(status_code), body(std::move(reply_body)), headers(std::move(reply_headers)) {}

        int status = 200;
        std::string body;
        std::map<std::string, std::string> headers;
        /// Declares a longer body than is sent, then closes the connection: the transfer is cut short.
        std::optional<std::size_t> declared_length;
        bool chunked = false;
    };

    using Script = std::function<Reply(const Request&)>;

    /// Serves on a plain socket on 127.0.0.1:0.
    explicit ScriptedHttpServer(Script script)
        : ScriptedHttpServer(std::move(script), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0))) {}

    /// Serves on `socket` (a SecureServerSocket for HTTPS).
    ScriptedHttpServer(Script script, const Poco::Net::ServerSocket& socket, std::string scheme = "http")
        : state_(std::make_shared<State>()), scheme_(std::move(scheme)) {
        state_->script = std::move(script);
        port_ = socket.address().port();
        auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
        params->setKeepAlive(true);
        params->setMaxThreads(4);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), socket, params);
        server_->start();
    }

    ~ScriptedHttpServer() { server_->stopAll(true); }

    std::string url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
    std::string localhostUrl() const { return scheme_ + "://localhost:" + std::to_string(port_); }

    std::vector<Request> requests() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->requests;
    }

    std::size_t requestCount() const { return requests().size(); }

private:
    struct State {
        std::mutex mutex;
        Script script;
        std::vector<Request> requests;
    };

    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}

        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            Request recorded;
            recorded.method = request.getMethod();
            const Poco::URI uri(request.getURI());
            recorded.path = uri.getPath();
            for (const auto& [name, value] : uri.getQueryParameters()) {
                recorded.query[name] = value;
            }
            for (const auto& [name, value] : request) {
                recorded.headers[name] = value;
            }
            Poco::StreamCopier::copyToString(request.stream(), recorded.body);
            Reply reply;
            {
                std::lock_guard<std::mutex> lock(state_->mutex);
                state_->requests.push_back(recorded);
                reply = state_->script(recorded);
            }
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
            response.setContentType("application/json");
            for (const auto& [name, value] : reply.headers) {
                response.set(name, value);
            }
            if (reply.declared_length) {
                response.setContentLength(static_cast<std::streamsize>(*reply.declared_length));
                response.setKeepAlive(false);
            } else if (reply.chunked) {
                response.setChunkedTransferEncoding(true);
            } else {
                response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
            }
            response.send() << reply.body;
        }

    private:
        std::shared_ptr<State> state_;
    };

    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(state_);
        }

    private:
        std::shared_ptr<State> state_;
    };

    std::shared_ptr<State> state_;
    std::string scheme_;
    Poco::UInt16 port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace gateway::testing
