#pragma once

#include "ops/sim/serve_context.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

namespace deptsim {

/// The four systems' HTTP side on one port: the police and civil APIs, OAuth, and the control endpoints.
/// Faults apply to everything but /control/ and /healthz.
class SimServer {
public:
    /// Binds host:port (0: any free port) and starts serving with up to `threads` connections at a time.
    SimServer(ServeContext& context, const std::string& host, int port, int threads);
    ~SimServer();
    SimServer(const SimServer&) = delete;
    SimServer& operator=(const SimServer&) = delete;

    int port() const { return port_; }
    /// Wakes delayed requests, stops accepting and waits for the threads.
    void stop();

private:
    ServeContext& context_;
    Poco::ThreadPool threads_;  // declared before the server, which must stop first
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
    bool stopped_ = false;
};

}  // namespace deptsim
