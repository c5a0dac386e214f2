#pragma once

#include "ops/sim/http_listener.h"
#include "ops/sim/sink_failures.h"
#include "ops/sim/sink_ledger.h"

#include <Poco/Event.h>

#include <memory>
#include <string>

namespace deptsim {

/// What the sink's request handlers share. Lives as long as the server.
struct SinkContext {
    SinkContext(std::string secret, SinkLedger& ledger, SinkFailState& failures)
        : secret(std::move(secret)), ledger(ledger), failures(failures) {}

    const std::string secret;  // the HMAC key of X-Gateway-Signature
    SinkLedger& ledger;
    SinkFailState& failures;
    Poco::Event stopping{Poco::Event::EVENT_MANUALRESET};  // set at shutdown: ends `slow` delays at once
};

/// The webhook sink on one port: POST /hooks/{name}, the control endpoints and /healthz (PROTOCOL.md, "sink").
/// Failures apply to /hooks/ only.
class SinkServer {
public:
    /// Binds host:port (0: any free port) and starts serving with up to `threads` connections at a time.
    SinkServer(SinkContext& context, const std::string& host, int port, int threads);
    SinkServer(const SinkServer&) = delete;
    SinkServer& operator=(const SinkServer&) = delete;

    int port() const { return listener_.port(); }
    /// Wakes delayed requests, stops accepting and waits for the requests in progress.
    void stop() { listener_.stop(); }

private:
    HttpListener listener_;
};

}  // namespace deptsim
