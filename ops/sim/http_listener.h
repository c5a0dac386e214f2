#pragma once

#include <Poco/Event.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <memory>
#include <string>

namespace deptsim {

/// One HTTP listener as deptsim's servers run it: host:port (0: any free port), up to `threads` connections at a
/// time, keep-alive. Stopping sets `stopping` first, so handlers sleeping on it (hangs, slow replies) end at once.
class HttpListener {
public:
    HttpListener(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const std::string& host, int port, int threads,
                 Poco::Event& stopping);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    int port() const { return port_; }
    /// Wakes delayed requests, stops accepting and waits for the requests in progress.
    void stop();

private:
    Poco::Event& stopping_;
    Poco::ThreadPool threads_;  // declared before the server, which must stop first
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
    bool stopped_ = false;
};

/// SIGINT and SIGTERM, blocked in every thread from construction on (construct it before starting any thread) and
/// taken by wait(); SIGPIPE ignored, so a client that hangs up never kills the process.
class StopSignals {
public:
    StopSignals();
    /// Blocks until SIGINT or SIGTERM arrives.
    void wait();

private:
    sigset_t signals_;
};

}  // namespace deptsim
