#pragma once

#include "gateway/api/router.h"
#include "gateway/security/tls_server.h"

#include <cstddef>
#include <memory>
#include <string>

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
}
}  // namespace Poco

namespace gateway::api {

class ConnectionFactory;

struct ServerSettings {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0 = any free port
    int threads = 16;
    int queue = 100;
    std::size_t max_body_bytes = 1 << 20;
    int request_timeout_seconds = 30;
    int head_timeout_seconds = 10;        // a request's line and headers (and the TLS handshake) must arrive by then
    int max_connections_per_address = 8;  // 0 = no limit
    /// HTTPS when a certificate is given; plain HTTP otherwise.
    security::TlsServerSettings tls{};
};

/// The HTTP API: a Poco TCPServer serving HTTP/1.1 (see ConnectionFactory), whose every request goes through one
/// wrapper that routes it, enforces the body limit, and turns any GatewayError (or unexpected exception) into the JSON
/// error contract.
class ApiServer {
public:
    /// The router must outlive the server.
    ApiServer(const ServerSettings& settings, const Router& router);
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    /// Binds and starts accepting. Throws GatewayError(Unavailable) if the address cannot be bound, and
    /// GatewayError(InvalidConfig) if the TLS files cannot be loaded.
    void start();

    /// Reads the TLS certificate, key and client CAs again (SIGHUP): new handshakes get them, connections already
    /// made keep theirs. Throws GatewayError(InvalidConfig) and keeps the current ones if the files are bad.
    void reloadCertificates();

    bool secure() const { return tls_ != nullptr; }
    /// The certificate being served, when secure().
    security::ServedCertificate servedCertificate() const;

    /// Stops accepting, lets requests in progress finish, then returns. Idempotent.
    void stop();

    /// The bound port (the chosen one when configured as 0). Valid after start().
    int port() const { return port_; }
    const std::string& host() const { return settings_.host; }

private:
    ServerSettings settings_;
    const Router& router_;
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::TCPServer> server_;
    ConnectionFactory* connections_ = nullptr;  // owned by server_
    std::unique_ptr<security::TlsServerContext> tls_;
    int port_ = 0;
};

/// Routes one request and runs its handler: what ApiServer does for every request, callable directly in tests.
/// Handlers may throw GatewayError; the server's wrapper renders it.
Response dispatch(const Router& router, Request request);

}  // namespace gateway::api
