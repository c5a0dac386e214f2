#pragma once

#include "ops/sim/http_listener.h"
#include "ops/sim/serve_context.h"

#include <memory>
#include <string>

namespace deptsim {

/// The four systems' HTTP side on one port: the police and civil APIs, OAuth, and the control endpoints.
/// Faults apply to everything but /control/ and /healthz.
class SimServer {
public:
    /// Binds host:port (0: any free port) and starts serving with up to `threads` connections at a time.
    SimServer(ServeContext& context, const std::string& host, int port, int threads);
    SimServer(const SimServer&) = delete;
    SimServer& operator=(const SimServer&) = delete;

    int port() const { return listener_.port(); }
    /// Wakes delayed requests, stops accepting and waits for the requests in progress.
    void stop() { listener_.stop(); }

private:
    HttpListener listener_;
};

}  // namespace deptsim
