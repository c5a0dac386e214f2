#include "ops/sim/http_listener.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <pthread.h>

namespace deptsim {

HttpListener::HttpListener(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, const std::string& host, int port,
                           int threads, Poco::Event& stopping)
    : stopping_(stopping), threads_(2, threads) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), 128);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(60, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(factory, threads_, socket, params);
    server_->start();
}

HttpListener::~HttpListener() {
    stop();
}

void HttpListener::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    stopping_.set();
    server_->stopAll(true);
}

StopSignals::StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void StopSignals::wait() {
    int signal = 0;
    sigwait(&signals_, &signal);
}

}  // namespace deptsim
