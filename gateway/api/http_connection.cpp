#include "gateway/api/http_connection.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <Poco/BasicEvent.h>
#include <Poco/Delegate.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace gateway::api {
namespace {

class Connection : public Poco::Net::TCPServerConnection {
public:
    Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
               Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, LingerLimits linger,
               std::shared_ptr<StopEvent> stopping)
        : Poco::Net::TCPServerConnection(socket),
          params_(std::move(params)),
          handlers_(std::move(handlers)),
          linger_(linger),
          stopping_(std::move(stopping)) {
        *stopping_ += Poco::delegate(this, &Connection::onServerStopped);
    }

    ~Connection() override {
        try {
            *stopping_ -= Poco::delegate(this, &Connection::onServerStopped);
        } catch (...) {
            // Unsubscribing cannot fail for a subscribed delegate; a destructor must not throw regardless.
        }
    }

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void run() override {
        // The session closes the socket when it goes, so lingering happens inside its lifetime.
        Poco::Net::HTTPServerSession session(socket(), params_);
        while (!stopped_ && session.hasMoreRequests()) {
            try {
                std::lock_guard<std::mutex> lock(serving_);
                if (stopped_ || !serveOne(session)) {
                    return;
                }
            } catch (const Poco::Net::NoMessageException&) {
                return;  // the client closed between requests
            } catch (const Poco::Net::MessageException& e) {
                refuse(session, e);
            } catch (const Poco::Exception& e) {
                // The client went away mid-request; there is no one to answer.
                Poco::Logger::get("gateway.api").notice("connection error: " + e.displayText());
                return;
            }
        }
        if (!stopped_ && !session.getKeepAlive()) {
            linger();
        }
    }

private:
    /// Reads one request and has it handled; false when the connection must end without lingering.
    bool serveOne(Poco::Net::HTTPServerSession& session) {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_);
        if (request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_1 &&
            request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_0) {
            // Poco reads any word there; answering in it would not be HTTP.
            throw Poco::Net::MessageException("not an HTTP/1.x request line (version " +
                                              utf8::quote(request.getVersion(), 16) + ")");
        }
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && session.canKeepAlive());
        if (!params_->getSoftwareVersion().empty()) {
            response.set("Server", params_->getSoftwareVersion());
        }
        std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(handlers_->createRequestHandler(request));
        if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
            response.sendContinue();
        }
        handler->handleRequest(request, response);
        // A handler that sent nothing lost its client mid-request.
        session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && session.canKeepAlive());
        return response.sent();
    }

    /// Answers a request line or header Poco could not read with the error contract, and ends the connection.
    void refuse(Poco::Net::HTTPServerSession& session, const Poco::Net::MessageException& error) {
        const std::string message =
            "the request could not be read (" + error.message() +
            "); a request line may hold 16384 bytes, a header 100 fields of up to 8192 bytes each";
        try {
            Poco::Logger::get("gateway.api")
                .notice("refused a request from " + socket().peerAddress().toString() + ": " + error.message());
            Poco::Net::HTTPServerResponseImpl response(session);
            response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
            response.setStatus(
                static_cast<Poco::Net::HTTPResponse::HTTPStatus>(httpStatus(ErrorCode::InvalidArgument)));
            response.setContentType("application/json");
            response.set("Cache-Control", "no-store");
            response.set("X-Content-Type-Options", "nosniff");
            response.setKeepAlive(false);
            const std::string body = renderErrorJson(ErrorCode::InvalidArgument, message);
            // Not sendBuffer: it writes no body for a response without a parsed request.
            response.setContentLength64(static_cast<Poco::Int64>(body.size()));
            response.send().write(body.data(), static_cast<std::streamsize>(body.size())).flush();
        } catch (const Poco::Exception&) {
            // The client is gone; the connection ends either way.
        }
        session.setKeepAlive(false);
    }

    /// Stops sending, then reads and drops what the client still sends, until it closes or the limits are reached.
    void linger() {
        try {
            if (!socket().secure()) {
                // A TLS connection is not half-closed: its close_notify would end the reading too.
                socket().shutdownSend();
            }
            char buffer[16384];
            std::size_t dropped = 0;
            const Poco::Timestamp started;
            const Poco::Timestamp::TimeDiff budget =
                static_cast<Poco::Timestamp::TimeDiff>(linger_.max_milliseconds) * 1000;
            while (dropped < linger_.max_bytes && !stopped_) {
                const Poco::Timestamp::TimeDiff left = budget - started.elapsed();
                if (left <= 0 || !socket().poll(Poco::Timespan(left), Poco::Net::Socket::SELECT_READ)) {
                    return;
                }
                const int got = socket().receiveBytes(buffer, sizeof buffer);
                if (got <= 0) {
                    return;
                }
                dropped += static_cast<std::size_t>(got);
            }
        } catch (const Poco::Exception&) {
            // A reset or an alert: the client has stopped sending, which is all lingering waits for.
        }
    }

    void onServerStopped(const bool& abort_current) {
        stopped_ = true;
        // Without abort, a request being served holds serving_ and finishes first; an idle connection waiting
        // for its next request is woken by the shutdown and ends.
        std::unique_lock<std::mutex> lock(serving_, std::defer_lock);
        if (!abort_current) {
            lock.lock();
        }
        try {
            socket().shutdown();
        } catch (const Poco::Exception&) {
            // Already closed by the client.
        }
    }

    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    LingerLimits linger_;
    std::shared_ptr<StopEvent> stopping_;
    std::atomic<bool> stopped_{false};
    std::mutex serving_;
};

}  // namespace

ConnectionFactory::ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                     Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, LingerLimits linger)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      linger_(linger),
      stopping_(std::make_shared<StopEvent>()) {}

Poco::Net::TCPServerConnection* ConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
    return new Connection(socket, params_, handlers_, linger_, stopping_);
}

void ConnectionFactory::stopConnections() {
    const bool abort_current = false;
    (*stopping_)(this, abort_current);
}

}  // namespace gateway::api
