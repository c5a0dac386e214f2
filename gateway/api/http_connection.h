#pragma once

#include <Poco/BasicEvent.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <chrono>
#include <cstddef>
#include <memory>

namespace gateway::api {

class ConnectionGuard;

/// How long, and how much, a connection the server ends still reads what the client sends.
struct LingerLimits {
    std::size_t max_bytes = std::size_t{1} << 20;
    int max_milliseconds = 2000;
};

/// What one client may take of the server's workers, which each serve one connection at a time.
struct ConnectionLimits {
    /// A request's line and headers, and before the first of them the TLS handshake, must have arrived this long
    /// after the server starts reading them: a client that trickles them a byte at a time is cut off then.
    std::chrono::milliseconds head_timeout{10000};
    /// Connections one peer address may hold at once, 0 for no limit. One more is closed as soon as a worker takes
    /// it, so that slow connections from one address drain from the queue instead of waiting ahead of others.
    int max_per_address = 8;
};

/// Raised once when the server stops; the argument says whether requests being handled are cut off too.
using StopEvent = Poco::BasicEvent<const bool>;

/// The connections of the API server: Poco's HTTP/1.1 request loop, with three differences.
///
/// A request line or header Poco refuses (longer than 16 kB, a field over 8 kB, more than 100 fields, not HTTP)
/// is answered with the JSON error contract, like every other refusal, not with an empty 400.
///
/// When the server ends a connection while the client may still be sending (that refused line, or a body over
/// the limit), it closes lingering: it stops sending, then reads and discards what still arrives, within
/// LingerLimits, before it closes. Closing at once would leave unread bytes in the socket, the kernel would answer
/// them with a reset, and the client would lose the response it had already been sent, seeing only a broken pipe.
///
/// Slow clients cannot hold the workers: each address may hold ConnectionLimits::max_per_address connections, and a
/// request head (or TLS handshake) that has not arrived by ConnectionLimits::head_timeout ends its connection.
class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers,
                      LingerLimits linger = {}, ConnectionLimits limits = {});
    ~ConnectionFactory() override;

    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

    /// Tells every connection the server stops: idle keep-alive connections close now, a request being handled
    /// finishes first. Call after the TCP server stopped accepting.
    void stopConnections();

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    LingerLimits linger_;
    std::shared_ptr<StopEvent> stopping_;     // shared with the connections, which may outlive the factory
    std::shared_ptr<ConnectionGuard> guard_;  // likewise
};

}  // namespace gateway::api
