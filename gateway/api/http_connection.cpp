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

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace gateway::api {

/// Counts each address's connections, and cuts off request heads that take too long: one watchdog thread per server.
class ConnectionGuard {
public:
    explicit ConnectionGuard(ConnectionLimits limits) : limits_(limits), watcher_([this] { watch(); }) {}

    ~ConnectionGuard() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        watcher_.join();
    }

    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;

    /// Counts one more connection from `address`; false, counting nothing, when the address holds its limit.
    bool admit(const std::string& address) {
        std::lock_guard<std::mutex> lock(mutex_);
        int& held = per_address_[address];  // an address over its limit already has an entry
        if (limits_.max_per_address > 0 && held >= limits_.max_per_address) {
            return false;
        }
        ++held;
        return true;
    }

    void release(const std::string& address) {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it = per_address_.find(address);
        if (it != per_address_.end() && --it->second <= 0) {
            per_address_.erase(it);
        }
    }

    /// Ends `socket` at the head timeout from now unless disarm(id) comes first.
    std::uint64_t arm(const Poco::Net::StreamSocket& socket) {
        std::uint64_t id = 0;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            id = ++next_id_;
            deadlines_.emplace(id, Deadline{std::chrono::steady_clock::now() + limits_.head_timeout, socket});
        }
        changed_.notify_all();
        return id;
    }

    void disarm(std::uint64_t id) {
        std::lock_guard<std::mutex> lock(mutex_);
        deadlines_.erase(id);
    }

private:
    struct Deadline {
        std::chrono::steady_clock::time_point at;
        Poco::Net::StreamSocket socket;
    };

    void watch() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!stopping_) {
            if (deadlines_.empty()) {
                changed_.wait(lock);
                continue;
            }
            auto earliest = deadlines_.begin();
            for (auto it = deadlines_.begin(); it != deadlines_.end(); ++it) {
                if (it->second.at < earliest->second.at) {
                    earliest = it;
                }
            }
            if (changed_.wait_until(lock, earliest->second.at) == std::cv_status::no_timeout) {
                continue;  // something changed: look again
            }
            const auto now = std::chrono::steady_clock::now();
            for (auto it = deadlines_.begin(); it != deadlines_.end();) {
                if (it->second.at <= now) {
                    // The descriptor itself: the worker blocked reading from it wakes with end of stream, also in
                    // the middle of a TLS handshake, where the TLS layer's own shutdown would try to write.
                    ::shutdown(it->second.socket.impl()->sockfd(), SHUT_RDWR);
                    it = deadlines_.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }

    ConnectionLimits limits_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, int> per_address_;
    std::map<std::uint64_t, Deadline> deadlines_;
    std::uint64_t next_id_ = 0;
    bool stopping_ = false;
    std::thread watcher_;  // last: started once everything it reads exists
};

namespace {

/// The head deadline of one connection, armed while its next request's head (or handshake) is awaited.
class HeadDeadline {
public:
    HeadDeadline(ConnectionGuard& guard, const Poco::Net::StreamSocket& socket) : guard_(guard), socket_(socket) {}
    ~HeadDeadline() { disarm(); }
    HeadDeadline(const HeadDeadline&) = delete;
    HeadDeadline& operator=(const HeadDeadline&) = delete;

    void arm() {
        if (id_ == 0) {
            id_ = guard_.arm(socket_);
        }
    }
    void disarm() {
        if (id_ != 0) {
            guard_.disarm(id_);
            id_ = 0;
        }
    }

private:
    ConnectionGuard& guard_;
    const Poco::Net::StreamSocket& socket_;
    std::uint64_t id_ = 0;
};

/// A connection over its address's limit: closed as soon as a worker takes it, without reading a byte.
class RefusedConnection : public Poco::Net::TCPServerConnection {
public:
    using Poco::Net::TCPServerConnection::TCPServerConnection;
    void run() override {}
};

class Connection : public Poco::Net::TCPServerConnection {
public:
    /// The connection counts against `address` in `guard`, which admitted it.
    Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
               Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, LingerLimits linger,
               std::shared_ptr<StopEvent> stopping, std::shared_ptr<ConnectionGuard> guard, std::string address)
        : Poco::Net::TCPServerConnection(socket),
          params_(std::move(params)),
          handlers_(std::move(handlers)),
          linger_(linger),
          stopping_(std::move(stopping)),
          guard_(std::move(guard)),
          address_(std::move(address)) {
        *stopping_ += Poco::delegate(this, &Connection::onServerStopped);
    }

    ~Connection() override {
        guard_->release(address_);
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
        // Armed from the start: the wait for the first request and a TLS handshake count against the head timeout.
        HeadDeadline deadline(*guard_, socket());
        deadline.arm();
        while (!stopped_ && session.hasMoreRequests()) {
            try {
                deadline.arm();
                std::lock_guard<std::mutex> lock(serving_);
                if (stopped_ || !serveOne(session, deadline)) {
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
    bool serveOne(Poco::Net::HTTPServerSession& session, HeadDeadline& deadline) {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_);
        deadline.disarm();  // the head is in; the body and the answer have the request timeout
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
    std::shared_ptr<ConnectionGuard> guard_;
    std::string address_;
    std::atomic<bool> stopped_{false};
    std::mutex serving_;
};

}  // namespace

ConnectionFactory::ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                                     Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, LingerLimits linger,
                                     ConnectionLimits limits)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      linger_(linger),
      stopping_(std::make_shared<StopEvent>()),
      guard_(std::make_shared<ConnectionGuard>(limits)) {}

ConnectionFactory::~ConnectionFactory() = default;

Poco::Net::TCPServerConnection* ConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
    std::string address;
    try {
        address = socket.peerAddress().host().toString();
    } catch (const Poco::Exception&) {
        return new RefusedConnection(socket);  // gone before a worker took it
    }
    if (!guard_->admit(address)) {
        Poco::Logger::get("gateway.api")
            .notice("closed a connection from " + address + ": it holds server.max_connections_per_address already");
        return new RefusedConnection(socket);
    }
    return new Connection(socket, params_, handlers_, linger_, stopping_, guard_, std::move(address));
}

void ConnectionFactory::stopConnections() {
    const bool abort_current = false;
    (*stopping_)(this, abort_current);
}

}  // namespace gateway::api
